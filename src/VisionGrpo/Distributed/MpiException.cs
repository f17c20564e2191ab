namespace VisionGrpo.Distributed;

/// <summary>MPI could not be loaded or started, a call failed, or the launch environment is inconsistent.</summary>
public sealed class MpiException(string message) : Exception(message);
