using System.Runtime.InteropServices;
using VisionGrpo.Distributed;
using VisionGrpo.Training;
using VisionGrpo.Training.Checkpoints;

namespace VisionGrpo.Tests.Distributed;

/// <summary>How the trainer splits and reduces a step over ranks, against a second rank simulated in process.</summary>
public sealed class DataParallelTests
{
    /// <summary>Rank <paramref name="rank"/> of two; the peer's contributions are given (what it would send).</summary>
    sealed class Peer(int rank, double[] peerDoubles) : ICommunicator
    {
        public int Rank => rank;
        public int Size => 2;
        public string Description => "simulated";
        public void AllReduceSum(Span<float> values) => throw new NotSupportedException();
        public void AllReduceSum(Span<double> values) { for (int i = 0; i < values.Length; i++) values[i] += peerDoubles[i]; }
        public void AllReduceSum(Span<long> values) => throw new NotSupportedException();
        public void AllReduceMax(Span<double> values) => throw new NotSupportedException();
        public byte[][] AllGather(ReadOnlySpan<byte> local)
        {
            var peer = MemoryMarshal.AsBytes(peerDoubles.AsSpan()).ToArray();
            return rank == 0 ? [local.ToArray(), peer] : [peer, local.ToArray()];
        }
        public void Broadcast(Span<byte> buffer, int root = 0) => throw new NotSupportedException();
        public void Barrier() { }
        public void Abort(int exitCode) => throw new NotSupportedException();
        public void Dispose() { }
    }

    [Fact]
    public void Rows_and_groups_are_split_into_contiguous_shares()
    {
        var r0 = new DataParallel(new Peer(0, []));
        var r1 = new DataParallel(new Peer(1, []));
        Assert.Equal((0, 2), r0.GroupsOf(4));
        Assert.Equal((2, 2), r1.GroupsOf(4));
        Assert.Equal((0, 3), r0.Share(5));
        Assert.Equal((3, 2), r1.Share(5));
        Assert.Equal(50.0, r0.NumItemsPerRank(100));
        var e = Assert.Throws<ArgumentException>(() => r0.CheckSplit(promptsPerRound: 3, numGenerations: 8, perDeviceBatchSize: 12));
        Assert.Contains("multiple of num_generations 8", e.Message);
        new DataParallel(SingleProcessCommunicator.Instance).CheckSplit(3, 8, 24);
    }

    [Fact]
    public void Loss_metrics_are_token_weighted_means_and_extremes_over_the_ranks()
    {
        // Keys in ordinal order: clip_ratio/high_max, clip_ratio/low_mean, clip_ratio/low_min, entropy; weight first.
        var dp = new DataParallel(new Peer(0, [30, 0.5, 0.2, 0.1, 2.0]));
        var local = new Dictionary<string, double> { ["entropy"] = 1.0, ["clip_ratio/low_mean"] = 0.0, ["clip_ratio/low_min"] = 0.05, ["clip_ratio/high_max"] = double.NaN };
        var reduced = dp.ReduceLossMetrics(local, localTokens: 10);
        Assert.Equal((10 * 1.0 + 30 * 2.0) / 40, reduced["entropy"], 12);
        Assert.Equal((10 * 0.0 + 30 * 0.2) / 40, reduced["clip_ratio/low_mean"], 12);
        Assert.Equal(0.05, reduced["clip_ratio/low_min"]);
        Assert.Equal(0.5, reduced["clip_ratio/high_max"]); // NaN on this rank: the other's value
    }

    [Fact]
    public void The_step_decision_is_shared()
    {
        var dp = new DataParallel(new Peer(0, [0.3, 0, 1]));
        Assert.Equal((0.2, false, true), dp.ReduceStep(0.1, nonFinite: false, stop: false));
        var bad = new DataParallel(new Peer(1, [0.3, 1, 0])).ReduceStep(0.1, false, false);
        Assert.True(bad.NonFinite);
        Assert.True(double.IsNaN(bad.Loss));
    }

    [Fact]
    public void Only_the_writing_rank_locks_the_output_folder()
    {
        string dir = Directory.CreateTempSubdirectory("vg-lock-").FullName;
        try
        {
            using var writer = OutputDirLock.ForRank(dir, writer: true);
            using var other = OutputDirLock.ForRank(dir, writer: false); // another rank: no conflict
            Assert.Throws<IOException>(() => OutputDirLock.ForRank(dir, writer: true));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
