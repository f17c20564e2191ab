namespace VisionGrpo.Tests.Distributed;

/// <summary>
/// The MPI binding as a user meets it: <c>visiongrpo distributed check</c> under <c>mpirun -np 2</c> runs every
/// collective training uses and verifies the results on both ranks; a rank that throws or is killed ends the whole
/// job with its message (MPI_Abort / the launcher) instead of leaving the other waiting; a single-process run never
/// loads an MPI library; torchrun-style WORLD_SIZE is refused with a pointer to mpirun.
/// </summary>
[Trait("Category", MpiRun.Category)]
public sealed class MpiBindingTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Two_ranks_pass_every_collective_check()
    {
        var (code, stdout, stderr) = MpiRun.Run(2, Path.GetTempPath(), Timeout, "distributed", "check");
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("MPI check passed: 2 rank(s), Open MPI", stdout);
        Assert.Single(stdout.Split('\n'), l => l.Contains("MPI check passed")); // rank 0 reports, once
    }

    [Fact]
    public void A_rank_that_throws_aborts_the_job_with_its_message()
    {
        var (code, stdout, stderr) = MpiRun.Run(2, Path.GetTempPath(), Timeout, "distributed", "check", "--fail-rank", "1");
        Assert.True(code != 0, $"exit 0\n{stdout}\n{stderr}");
        Assert.Contains("rank 1: error: --fail-rank 1: this rank fails on purpose.", stderr);
        Assert.Contains("rank 1 of 2 failed (exit code 1): aborting the MPI job.", stderr);
    }

    [Fact]
    public void A_killed_rank_ends_the_job_instead_of_hanging()
    {
        var (code, stdout, stderr) = MpiRun.Run(2, Path.GetTempPath(), Timeout, "distributed", "check", "--kill-rank", "1");
        Assert.NotEqual(0, code);
        Assert.Contains("exited on signal 9", stdout + stderr);
    }

    [Fact]
    public void One_process_needs_no_mpi_library()
    {
        // A library path that cannot load: a plain run must not even try.
        var env = new Dictionary<string, string> { ["VISIONGRPO_MPI_LIBRARY"] = "/nonexistent/libmpi.so" };
        var (code, stdout, stderr) = MpiRun.RunAlone(Path.GetTempPath(), env, Timeout, "distributed", "check");
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("MPI check passed: 1 rank(s), single process", stdout);
    }

    [Fact]
    public void Torchrun_style_world_size_is_refused_naming_mpirun()
    {
        var env = new Dictionary<string, string> { ["WORLD_SIZE"] = "2", ["RANK"] = "0" };
        var (code, _, stderr) = MpiRun.RunAlone(Path.GetTempPath(), env, Timeout, "distributed", "check");
        Assert.Equal(1, code);
        Assert.Contains("WORLD_SIZE=2 is set", stderr);
        Assert.Contains("mpirun -np 2 visiongrpo train", stderr);
    }
}
