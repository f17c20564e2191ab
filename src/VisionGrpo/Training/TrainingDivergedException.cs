namespace VisionGrpo.Training;

/// <summary>The loss or gradient norm became NaN/inf; the message names the step and the last good checkpoint.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
