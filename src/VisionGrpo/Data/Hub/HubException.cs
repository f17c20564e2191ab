namespace VisionGrpo.Data.Hub;

/// <summary>A Hub request or cache lookup failed; the message says what to do (never contains the token).</summary>
public sealed class HubException : Exception
{
    /// <summary>Creates the exception with an optional HTTP status.</summary>
    public HubException(string message, int? statusCode = null, Exception? inner = null) : base(message, inner) => StatusCode = statusCode;

    /// <summary>The HTTP status that caused it, if any.</summary>
    public int? StatusCode { get; }
}
