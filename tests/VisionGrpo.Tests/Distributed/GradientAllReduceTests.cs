using TorchSharp;
using VisionGrpo.Distributed;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Distributed;

/// <summary>The one-bucket gradient average, against a two-rank communicator simulated in process.</summary>
public sealed class GradientAllReduceTests
{
    /// <summary>Rank 0 of two, whose peer's buffer is given: sums add the peer's values, as MPI_Allreduce would.</summary>
    sealed class TwoRanks(float[] peer) : ICommunicator
    {
        public int Calls;
        public int Rank => 0;
        public int Size => 2;
        public string Description => "simulated";
        public void AllReduceSum(Span<float> values)
        {
            Calls++;
            Assert.Equal(peer.Length, values.Length);
            for (int i = 0; i < values.Length; i++) values[i] += peer[i];
        }
        public void AllReduceSum(Span<double> values) => throw new NotSupportedException();
        public void AllReduceSum(Span<long> values) => throw new NotSupportedException();
        public void AllReduceMax(Span<double> values) => throw new NotSupportedException();
        public byte[][] AllGather(ReadOnlySpan<byte> local) => throw new NotSupportedException();
        public void Broadcast(Span<byte> buffer, int root = 0) => throw new NotSupportedException();
        public void Barrier() { }
        public void Abort(int exitCode) => throw new NotSupportedException();
        public void Dispose() { }
    }

    [Fact]
    public void All_gradients_are_averaged_in_one_collective_and_a_missing_one_counts_as_zero()
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(2, 2, requires_grad: true);
        var b = torch.zeros(3, requires_grad: true);
        var c = torch.zeros(1, requires_grad: true); // takes no backward pass on this rank
        (a * torch.tensor(new float[] { 1, 2, 3, 4 }).view(2, 2)).sum().add(b.mul(10).sum()).backward();
        var comm = new TwoRanks([3, 2, 1, 0, 0, 2, 4, 8]);

        long bytes = GradientAllReduce.Average(comm, [a, b, c]);

        Assert.Equal(1, comm.Calls);
        Assert.Equal(8 * sizeof(float), bytes);
        Assert.Equal([2f, 2, 2, 2], a.grad!.data<float>().ToArray());
        Assert.Equal([5f, 6, 7], b.grad!.data<float>().ToArray());
        Assert.Equal([4f], c.grad!.data<float>().ToArray());
    }

    [Fact]
    public void One_rank_leaves_gradients_untouched()
    {
        VisionGrpo.Tensors.TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros(2, requires_grad: true);
        a.mul(3).sum().backward();
        Assert.Equal(0, GradientAllReduce.Average(SingleProcessCommunicator.Instance, [a]));
        Assert.Equal([3f, 3], a.grad!.data<float>().ToArray());
    }
}
