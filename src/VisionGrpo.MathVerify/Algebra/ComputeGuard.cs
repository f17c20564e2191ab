namespace VisionGrpo.MathVerify.Algebra;

/// <summary>Thrown when a computation exceeds its time budget or is cancelled.</summary>
internal sealed class MathTimeoutException(string message) : Exception(message);

/// <summary>
/// Cooperative time limit for parsing and comparison. The active budget is thread-local (each worker thread has its
/// own), so concurrent calls never share state; long loops call <see cref="Check"/>.
/// </summary>
internal sealed class ComputeGuard : IDisposable
{
    [ThreadStatic] static ComputeGuard? _current;

    readonly ComputeGuard? _previous;
    readonly long _deadlineTicks;
    readonly CancellationToken _token;
    int _counter;

    ComputeGuard(TimeSpan budget, CancellationToken token)
    {
        _previous = _current;
        _deadlineTicks = budget == Timeout.InfiniteTimeSpan || budget <= TimeSpan.Zero
            ? long.MaxValue
            : Environment.TickCount64 + (long)Math.Ceiling(budget.TotalMilliseconds);
        // A nested budget never extends the outer one.
        if (_previous != null) _deadlineTicks = Math.Min(_deadlineTicks, _previous._deadlineTicks);
        _token = token;
        _current = this;
        if (token.IsCancellationRequested) { _current = _previous; throw new MathTimeoutException("cancelled"); }
    }

    /// <summary>Starts a budget on this thread; dispose to restore the previous one.</summary>
    public static ComputeGuard Start(TimeSpan budget, CancellationToken token = default) => new(budget, token);

    /// <summary>Throws <see cref="MathTimeoutException"/> when the current budget is spent (cheap; checks the clock every 64 calls).</summary>
    public static void Check()
    {
        var g = _current;
        if (g == null) return;
        if ((++g._counter & 63) != 0) return;
        if (g._token.IsCancellationRequested) throw new MathTimeoutException("cancelled");
        if (Environment.TickCount64 > g._deadlineTicks) throw new MathTimeoutException("time limit exceeded");
    }

    public void Dispose() => _current = _previous;
}
