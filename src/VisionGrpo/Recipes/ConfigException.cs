namespace VisionGrpo.Recipes;

/// <summary>A configuration file or override that cannot be used; the message names the key and the fix.</summary>
public sealed class ConfigException(string message) : Exception(message);
