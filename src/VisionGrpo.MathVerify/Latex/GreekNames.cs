namespace VisionGrpo.MathVerify.Latex;

/// <summary>Greek letter commands / glyphs and the symbol names the reference gives them.</summary>
internal static class GreekNames
{
    static readonly (string name, string[] forms)[] Table =
    [
        ("alpha", [@"\alpha", "α"]), ("beta", [@"\beta", "β"]), ("gamma", [@"\gamma", "γ"]), ("Gamma", [@"\Gamma", "Γ"]),
        ("delta", [@"\delta", "δ"]), ("Delta", [@"\Delta", "Δ"]), ("epsilon", [@"\epsilon", "ε"]), ("varepsilon", [@"\varepsilon", "ϵ"]),
        ("zeta", [@"\zeta", "ζ"]), ("eta", [@"\eta", "η"]), ("theta", [@"\theta", "θ"]), ("Theta", [@"\Theta", "Θ"]),
        ("vartheta", [@"\vartheta", "ϑ"]), ("iota", [@"\iota", "ι"]), ("kappa", [@"\kappa", "κ"]), ("lambda", [@"\lambda", "λ"]),
        ("Lambda", [@"\Lambda", "Λ"]), ("mu", [@"\mu", "μ"]), ("nu", [@"\nu", "ν"]), ("xi", [@"\xi", "ξ"]), ("Xi", [@"\Xi", "Ξ"]),
        ("omicron", [@"\omicron", "ο"]), ("pi", [@"\pi", "π"]), ("Pi", [@"\Pi", "Π"]), ("varpi", [@"\varpi", "ϖ"]),
        ("rho", [@"\rho", "ρ"]), ("varrho", [@"\varrho", "ϱ"]), ("sigma", [@"\sigma", "σ"]), ("Sigma", [@"\Sigma", "Σ"]),
        ("varsigma", [@"\varsigma", "ς"]), ("tau", [@"\tau", "τ"]), ("upsilon", [@"\upsilon", "υ"]), ("Upsilon", [@"\Upsilon", "Υ"]),
        ("phi", [@"\phi", "φ"]), ("Phi", [@"\Phi", "Φ"]), ("varphi", [@"\varphi", "ϕ"]), ("chi", [@"\chi", "χ"]),
        ("psi", [@"\psi", "ψ"]), ("Psi", [@"\Psi", "Ψ"]), ("omega", [@"\omega", "ω"]), ("Omega", [@"\Omega", "Ω"]),
    ];

    static readonly Dictionary<string, string> ByForm = Table.SelectMany(t => t.forms.Select(f => (f, t.name))).ToDictionary(p => p.f, p => p.name);

    public static IEnumerable<string> Commands => ByForm.Keys;

    /// <summary>Symbol name for a GREEK/OTHER_SYMBOL token text (trailing space stripped, backslash removed otherwise).</summary>
    public static string NameOf(string tokenText)
    {
        var t = tokenText.Trim();
        if (ByForm.TryGetValue(t, out var n)) return n;
        if (t.StartsWith(@"\char", StringComparison.Ordinal))
        {
            string code = t.Replace("\"", "")[5..];
            return code switch { "000391" => "alpha", "000392" => "beta", "000190" => "epsilon", "000396" => "zeta", "000397" => "eta", "000399" => "iota", "00039A" => "kappa", "00039C" => "mu", "00039D" => "nu", "00039F" => "omicron", "0003A1" => "rho", "0003A4" => "tau", "0003A7" => "chi", _ => code };
        }
        return t.StartsWith('\\') ? t[1..] : t;
    }
}
