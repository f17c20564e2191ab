namespace VisionGrpo.MathVerify;

/// <summary>Entry points of the Math-Verify port (parse + verify).</summary>
public static class MathVerifier
{
}
