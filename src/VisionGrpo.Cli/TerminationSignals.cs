using System.Runtime.InteropServices;

namespace VisionGrpo.Cli;

/// <summary>
/// SIGINT and SIGTERM for the whole CLI. While a training loop runs (<see cref="StopGracefully"/>), the first signal
/// cancels <see cref="Token"/>: <c>train</c>/<c>sft</c> finish the current optimizer step, save a checkpoint and exit
/// with 128 + the signal number, so a preempted job continues with <c>resume_from_checkpoint</c>. A second signal,
/// or any signal outside a training loop, exits at once with that code.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly PosixSignalRegistration[] _registrations;
    int _graceful;
    int _received; // the first signal's number (0: none yet)

    TerminationSignals() =>
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];

    /// <summary>Starts handling SIGINT and SIGTERM for this process.</summary>
    public static TerminationSignals Install() => Current = new TerminationSignals();

    /// <summary>The handler of this process (null inside tests that call commands directly).</summary>
    public static TerminationSignals? Current { get; private set; }

    /// <summary>Cancelled by the first signal while a training loop runs.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The exit code for the signal received (128 + its number), or null when none came.</summary>
    public int? ExitCode => _received == 0 ? null : 128 + _received;

    /// <summary>Marks the span in which the first signal asks for a stop at the next step boundary instead of an exit.</summary>
    public static IDisposable StopGracefully()
    {
        var current = Current;
        if (current is null) return new Scope(null);
        Interlocked.Increment(ref current._graceful);
        return new Scope(current);
    }

    void Handle(PosixSignalContext context)
    {
        // The raw number, not the PosixSignal enum (negative, platform-neutral values).
        int number = context.Signal == PosixSignal.SIGINT ? 2 : 15;
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref _received, number, 0) == 0 && Volatile.Read(ref _graceful) > 0)
        {
            Console.Error.WriteLine($"received {context.Signal}: stopping after the current step and saving a checkpoint (send it again to exit now).");
            _stop.Cancel();
            return;
        }
        Console.Out.Flush();
        Console.Error.Flush();
        // _exit, not Environment.Exit: the runtime's orderly shutdown would tear libtorch down under the threads
        // still running in it (a segfault, exit 139, instead of 128 + the signal).
        if (OperatingSystem.IsLinux()) ExitNow(128 + number);
        Environment.Exit(128 + number);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    static extern void ExitNow(int code);

    /// <summary>Stops handling the signals.</summary>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        if (ReferenceEquals(Current, this)) Current = null;
    }

    sealed class Scope(TerminationSignals? owner) : IDisposable
    {
        public void Dispose()
        {
            if (owner is not null) Interlocked.Decrement(ref owner._graceful);
        }
    }
}
