namespace VisionGrpo.Training;

/// <summary>Where the prompt sampler stands: epoch, round within it, and rounds drawn so far (each round's seed derives from it).</summary>
/// <param name="Epoch">Sampler epoch.</param>
/// <param name="Round">Round within the epoch.</param>
/// <param name="RoundsSampled">Generation rounds drawn since the start of the run.</param>
public readonly record struct DataPosition(int Epoch, int Round, long RoundsSampled)
{
    /// <summary>The position after drawing one more round (wrapping into the next epoch).</summary>
    public DataPosition Next(int roundsPerEpoch) => Round + 1 >= roundsPerEpoch
        ? new(Epoch + 1, 0, RoundsSampled + 1)
        : new(Epoch, Round + 1, RoundsSampled + 1);

    /// <summary>Rounds from the start of epoch 0 (for fractional epochs).</summary>
    public double Rounds(int roundsPerEpoch) => (double)Epoch * roundsPerEpoch + Round;
}
