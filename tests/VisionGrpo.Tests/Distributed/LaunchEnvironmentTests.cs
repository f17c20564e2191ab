using VisionGrpo.Distributed;

namespace VisionGrpo.Tests.Distributed;

/// <summary>Launch detection from the variables each launcher sets, and the single-process communicator.</summary>
public sealed class LaunchEnvironmentTests
{
    static LaunchEnvironment From(params (string Name, string Value)[] vars) =>
        LaunchEnvironment.From(name => vars.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void Each_launcher_is_recognised()
    {
        Assert.Equal(new LaunchEnvironment("openmpi", 4, 2, null), From(("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_RANK", "2")));
        Assert.Equal(new LaunchEnvironment("mpich", 3, 1, null), From(("PMI_SIZE", "3"), ("PMI_RANK", "1")));
        Assert.Equal(new LaunchEnvironment("mvapich", 2, 0, null), From(("MV2_COMM_WORLD_SIZE", "2"), ("MV2_COMM_WORLD_RANK", "0")));
        Assert.Equal(new LaunchEnvironment("pmix", null, 5, null), From(("PMIX_RANK", "5")));
        Assert.Equal(new LaunchEnvironment(null, null, null, null), From());
    }

    [Fact]
    public void Only_multi_rank_mpi_launches_need_mpi()
    {
        Assert.True(From(("OMPI_COMM_WORLD_SIZE", "2")).IsMpi);
        Assert.True(From(("PMIX_RANK", "0")).IsMpi); // size unknown until MPI_Init
        Assert.False(From(("OMPI_COMM_WORLD_SIZE", "1")).IsMpi);
        Assert.False(From().IsMpi);
        Assert.Same(SingleProcessCommunicator.Instance, Communicator.From(From(("OMPI_COMM_WORLD_SIZE", "1"))));
    }

    [Fact]
    public void Torchrun_world_size_without_mpi_is_an_error_naming_mpirun()
    {
        var e = Assert.Throws<MpiException>(() => Communicator.From(From(("WORLD_SIZE", "4"), ("RANK", "1"))));
        Assert.Contains("mpirun -np 4 visiongrpo train", e.Message);
        Assert.Same(SingleProcessCommunicator.Instance, Communicator.From(From(("WORLD_SIZE", "1"))));
        // Under mpirun, a leftover WORLD_SIZE does not matter.
        From(("WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_SIZE", "2")).ThrowIfForeignMultiProcess();
    }

    [Fact]
    public void The_single_process_communicator_is_the_identity()
    {
        var c = SingleProcessCommunicator.Instance;
        Span<double> d = [1.5, -2];
        c.AllReduceSum(d);
        Assert.Equal([1.5, -2], d.ToArray());
        Assert.Equal([[1, 2, 3]], c.AllGather([1, 2, 3]));
        Assert.Equal([4.0, 5.0], c.AllGather([4.0, 5.0]));
        Assert.Equal(7L, c.Sum(7L));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Broadcast(new byte[1], root: 1));
    }
}
