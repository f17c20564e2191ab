namespace VisionGrpo.Rewards;

/// <summary>
/// A reward function made from a delegate, as TRL takes a plain Python function in <c>reward_funcs</c>:
/// <c>RewardFunction.From("length", batch =&gt; batch.Completions.Select(c =&gt; c.Length / 100f))</c>. The delegate
/// returns one score per completion of the batch, in order; <c>null</c> means "not applicable" (TRL's <c>None</c>).
/// </summary>
public sealed class RewardFunction : IRewardFunction
{
    readonly Func<RewardBatch, CancellationToken, Task<IEnumerable<float?>>> _score;

    RewardFunction(string name, float weight, Func<RewardBatch, CancellationToken, Task<IEnumerable<float?>>> score)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!float.IsFinite(weight)) throw new ArgumentException($"reward '{name}': weight must be finite, got {weight}.", nameof(weight));
        Name = name;
        Weight = weight;
        _score = score;
    }

    /// <summary>A reward from a function that scores every completion.</summary>
    /// <param name="name">The name in metrics (<c>rewards/&lt;name&gt;/mean</c>).</param>
    /// <param name="score">One score per completion of the batch.</param>
    /// <param name="weight">Weight in the sum of rewards (TRL's <c>reward_weights</c>).</param>
    public static RewardFunction From(string name, Func<RewardBatch, IEnumerable<float>> score, float weight = 1f)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new(name, weight, (batch, _) => Task.FromResult(score(batch).Select(s => (float?)s)));
    }

    /// <summary>A reward from a function that scores every completion, <c>null</c> where it does not apply.</summary>
    /// <inheritdoc cref="From(string, Func{RewardBatch, IEnumerable{float}}, float)"/>
    public static RewardFunction From(string name, Func<RewardBatch, IEnumerable<float?>> score, float weight = 1f)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new(name, weight, (batch, _) => Task.FromResult(score(batch)));
    }

    /// <summary>
    /// A reward from an asynchronous function (a remote judge, a sandbox); the trainer waits for it, and passes the
    /// cancellation token of evaluation runs.
    /// </summary>
    /// <inheritdoc cref="From(string, Func{RewardBatch, IEnumerable{float}}, float)"/>
    public static RewardFunction FromAsync(string name, Func<RewardBatch, CancellationToken, Task<IEnumerable<float>>> score, float weight = 1f)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new(name, weight, async (batch, ct) => (await score(batch, ct).ConfigureAwait(false)).Select(s => (float?)s));
    }

    /// <summary>An asynchronous reward whose scores may be <c>null</c> where it does not apply.</summary>
    /// <inheritdoc cref="FromAsync(string, Func{RewardBatch, CancellationToken, Task{IEnumerable{float}}}, float)"/>
    public static RewardFunction FromAsync(string name, Func<RewardBatch, CancellationToken, Task<IEnumerable<float?>>> score, float weight = 1f)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new(name, weight, score);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public float Weight { get; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The function returned a score count other than the batch size.</exception>
    public float?[] Score(RewardBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var scores = _score(batch, cancellationToken).GetAwaiter().GetResult()?.ToArray()
            ?? throw new InvalidOperationException($"reward '{Name}' returned null instead of {batch.Count} scores.");
        return RewardScoring.CheckCount(Name, scores, batch.Count);
    }
}
