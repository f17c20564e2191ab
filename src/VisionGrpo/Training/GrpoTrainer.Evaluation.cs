namespace VisionGrpo.Training;

public sealed partial class GrpoTrainer
{
    void Evaluate(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
    }
}
