namespace VisionGrpo.Rewards;

/// <summary>An external reward process crashed, timed out or answered with something unusable; the message names the command.</summary>
public sealed class RewardProcessException(string message, Exception? inner = null) : Exception(message, inner);
