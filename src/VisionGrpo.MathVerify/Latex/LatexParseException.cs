namespace VisionGrpo.MathVerify.Latex;

/// <summary>The LaTeX text cannot be converted (syntax error, unsupported construct or limit exceeded).</summary>
internal sealed class LatexParseException(string message) : Exception(message);
