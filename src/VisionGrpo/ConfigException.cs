namespace VisionGrpo;

/// <summary>
/// An option that cannot be used, from a recipe file, a <c>--set</c> override, a command-line flag or C# code
/// (<see cref="Training.GrpoConfig"/>, <see cref="Training.PolicyLoadOptions"/>, ...); the message names the option
/// (TRL's snake_case key) and the fix.
/// </summary>
public sealed class ConfigException(string message) : Exception(message)
{
    /// <summary>Runs a component's own parsing/validation and turns its argument errors into <see cref="ConfigException"/>s.</summary>
    internal static T Wrap<T>(Func<T> build)
    {
        try { return build(); }
        catch (ArgumentException e) { throw new ConfigException(e.Message); }
        catch (FormatException e) { throw new ConfigException(e.Message); }
    }
}
