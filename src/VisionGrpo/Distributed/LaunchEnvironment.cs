using System.Globalization;

namespace VisionGrpo.Distributed;

/// <summary>
/// How this process was started, read from the variables launchers set: Open MPI's <c>mpirun</c>
/// (<c>OMPI_COMM_WORLD_SIZE/RANK</c>), MPICH/Intel MPI's Hydra (<c>PMI_SIZE/RANK</c>), MVAPICH
/// (<c>MV2_COMM_WORLD_SIZE</c>), PMIx launchers such as Slurm's <c>srun --mpi=pmix</c> (<c>PMIX_RANK</c>), or
/// torchrun/accelerate (<c>WORLD_SIZE</c>, which this toolkit cannot join).
/// </summary>
/// <param name="Launcher">"openmpi", "mpich", "mvapich", "pmix", or null when no MPI launcher started the process.</param>
/// <param name="ExpectedSize">The job size the launcher announced (null when it does not say, as with bare PMIx).</param>
/// <param name="ExpectedRank">This process's rank as the launcher announced it (null when unknown).</param>
/// <param name="TorchWorldSize">torchrun's <c>WORLD_SIZE</c>, if set.</param>
public sealed record LaunchEnvironment(string? Launcher, int? ExpectedSize, int? ExpectedRank, int? TorchWorldSize)
{
    /// <summary>Reads the current process environment.</summary>
    public static LaunchEnvironment Current() => From(Environment.GetEnvironmentVariable);

    /// <summary>Reads the variables through <paramref name="variable"/> (testable without touching the process environment).</summary>
    public static LaunchEnvironment From(Func<string, string?> variable)
    {
        int? Int(string name) => int.TryParse(variable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;
        int? torch = Int("WORLD_SIZE");
        if (Int("OMPI_COMM_WORLD_SIZE") is int ompi) return new("openmpi", ompi, Int("OMPI_COMM_WORLD_RANK"), torch);
        if (Int("MV2_COMM_WORLD_SIZE") is int mv2) return new("mvapich", mv2, Int("MV2_COMM_WORLD_RANK"), torch);
        if (Int("PMI_SIZE") is int pmi) return new("mpich", pmi, Int("PMI_RANK"), torch);
        if (Int("PMIX_RANK") is int pmixRank) return new("pmix", null, pmixRank, torch);
        return new(null, null, null, torch);
    }

    /// <summary>Whether an MPI launcher started this process as part of a job that may have several ranks.</summary>
    public bool IsMpi => Launcher is not null && ExpectedSize is not 1;

    /// <summary>One line for messages, e.g. "openmpi, 2 ranks".</summary>
    public string Describe() => Launcher is null ? "no MPI launcher"
        : $"{Launcher}{(ExpectedSize is int n ? $", {n} ranks" : "")}{(ExpectedRank is int r ? $", rank {r}" : "")}";

    /// <summary>
    /// Throws when the process looks like one of several workers but no MPI launcher started it (torchrun, accelerate):
    /// each would otherwise train alone on the full data, silently.
    /// </summary>
    /// <exception cref="MpiException"><c>WORLD_SIZE</c> &gt; 1 without MPI.</exception>
    public void ThrowIfForeignMultiProcess()
    {
        if (Launcher is null && TorchWorldSize is > 1)
            throw new MpiException(
                $"WORLD_SIZE={TorchWorldSize} is set (torchrun/accelerate style) but VisionGrpo scales out over MPI only: " +
                $"launch with `mpirun -np {TorchWorldSize} visiongrpo train …` (or `srun --mpi=pmix` under Slurm), or unset WORLD_SIZE to train in one process.");
    }
}
