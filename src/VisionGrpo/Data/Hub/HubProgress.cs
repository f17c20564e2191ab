namespace VisionGrpo.Data.Hub;

/// <summary>Download progress of one file.</summary>
/// <param name="File">Path inside the repo.</param>
/// <param name="Done">Bytes present so far (including resumed bytes).</param>
/// <param name="Total">Expected size, when known.</param>
public readonly record struct HubProgress(string File, long Done, long? Total);
