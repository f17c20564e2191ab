namespace VisionGrpo.Text;

/// <summary>
/// One entry of <c>tokenizer.json</c>'s <c>added_tokens</c>: a string matched verbatim in the input before any
/// normalization or pre-tokenization, with its fixed id.
/// </summary>
/// <param name="Id">Token id.</param>
/// <param name="Content">The exact text of the token, e.g. <c>&lt;|im_start|&gt;</c>.</param>
/// <param name="Special">Special tokens are dropped by <c>Decode(..., skipSpecialTokens: true)</c>.</param>
/// <param name="LStrip">Absorb whitespace to the left of a match.</param>
/// <param name="RStrip">Absorb whitespace to the right of a match.</param>
/// <param name="SingleWord">Only match when not inside a word.</param>
/// <param name="Normalized">Matched against normalized text rather than the raw input.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false,
    bool SingleWord = false, bool Normalized = false);
