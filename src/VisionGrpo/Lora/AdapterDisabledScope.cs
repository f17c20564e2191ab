namespace VisionGrpo.Lora;

/// <summary>
/// Returned by <see cref="PeftModel.DisableAdapter"/>: while alive, every adapter is bypassed and the model gives
/// the base model's outputs (the GRPO reference model without a second copy of the weights). A merged model is
/// unmerged for the duration and merged again on dispose. Scopes nest.
/// </summary>
public sealed class AdapterDisabledScope : IDisposable
{
    readonly PeftModel _owner;
    readonly bool _remerge;
    bool _disposed;

    internal AdapterDisabledScope(PeftModel owner, bool remerge)
    {
        _owner = owner;
        _remerge = remerge;
    }

    /// <summary>Re-enables the adapters (and re-merges them if they were merged when the scope began).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _owner.EndDisabled(_remerge);
    }
}
