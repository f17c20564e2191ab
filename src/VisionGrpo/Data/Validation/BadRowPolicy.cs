namespace VisionGrpo.Data.Validation;

/// <summary>What the data loader does with a row whose image does not decode or whose required column is null.</summary>
public enum BadRowPolicy
{
    /// <summary>Report it (dataset/shard/row), count it, and go on without it.</summary>
    Skip,

    /// <summary>Stop with an error naming the row.</summary>
    Fail,
}
