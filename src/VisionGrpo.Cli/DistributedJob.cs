using VisionGrpo.Distributed;

namespace VisionGrpo.Cli;

/// <summary>
/// The job this process belongs to: one process, or one rank of an MPI job (<c>mpirun -np N visiongrpo …</c>,
/// <c>srun --mpi=pmix</c>). MPI is started before any command runs, so every rank joins the job even if its command
/// fails early; a rank whose command fails calls MPI_Abort, so the others stop instead of waiting in a collective.
/// </summary>
internal static class DistributedJob
{
    /// <summary>The communicator of this process (single-process until <see cref="Start"/> found an MPI launch).</summary>
    public static ICommunicator Communicator { get; private set; } = SingleProcessCommunicator.Instance;

    /// <summary>Joins the MPI job when an MPI launcher started the process; throws for torchrun-style launches.</summary>
    public static ICommunicator Start() => Communicator = VisionGrpo.Distributed.Communicator.World;

    /// <summary>
    /// Ends the job after the command returned <paramref name="exitCode"/>: MPI_Finalize when every rank got here
    /// normally, MPI_Abort when this rank failed (its error is already printed) so the launcher stops the others.
    /// </summary>
    public static int Finish(int exitCode, bool stoppedBySignal)
    {
        var comm = Communicator;
        if (comm.Size > 1 && exitCode != 0 && !stoppedBySignal)
        {
            Console.Error.WriteLine($"rank {comm.Rank} of {comm.Size} failed (exit code {exitCode}): aborting the MPI job.");
            comm.Abort(exitCode);
        }
        comm.Dispose();
        return exitCode;
    }
}
