using System.Runtime.InteropServices;
using VisionGrpo.Data;
using VisionGrpo.Distributed;
using VisionGrpo.Training;
using VisionGrpo.Training.Checkpoints;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Loss;
using VisionGrpo.Training.Rollout;

namespace VisionGrpo.Tests.Distributed;

/// <summary>How the trainer splits and reduces a step over ranks, against a second rank simulated in process.</summary>
public sealed class DataParallelTests
{
    /// <summary>Rank <paramref name="rank"/> of two; the peer's contributions are given (what it would send).</summary>
    sealed class Peer(int rank, double[] peerDoubles, byte[]? peerBytes = null) : ICommunicator
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
            var peer = peerBytes ?? MemoryMarshal.AsBytes(peerDoubles.AsSpan()).ToArray();
            return rank == 0 ? [local.ToArray(), peer] : [peer, local.ToArray()];
        }
        public void Broadcast(Span<byte> buffer, int root = 0) => throw new NotSupportedException();
        public void Barrier() { }
        public void Abort(int exitCode) => throw new NotSupportedException();
        public void Dispose() { }
    }

    [Fact]
    public void Each_rank_takes_a_contiguous_slice_of_the_rounds_completions_and_groups_may_span_ranks()
    {
        var r0 = new DataParallel(new Peer(0, []));
        var r1 = new DataParallel(new Peer(1, []));
        // 3 prompts x 4 (B·S = 6 per rank): rank 0 holds prompt 0 and samples 0-1 of prompt 1, rank 1 the rest.
        Assert.Equal(new RankSlice(0, 6, 4), r0.CompletionsOf(12, 4));
        Assert.Equal(new RankSlice(6, 6, 4), r1.CompletionsOf(12, 4));
        Assert.Equal((0, 2), r0.CompletionsOf(12, 4).Prompts);
        Assert.Equal((1, 2), r1.CompletionsOf(12, 4).Prompts);
        // One prompt of 2 over 2 ranks (per_device_train_batch_size 1): one sample each.
        Assert.Equal((0, 1), r1.CompletionsOf(2, 2).Prompts);
        Assert.Equal(1, r1.CompletionsOf(2, 2).First);
        // Whole groups per rank (the demo on 2 ranks x 8): 1 prompt each.
        Assert.Equal((1, 1), r1.CompletionsOf(16, 8).Prompts);
        Assert.Throws<ArgumentException>(() => r0.CompletionsOf(12, 8));
        Assert.Equal((0, 3), r0.Share(5));
        Assert.Equal((3, 2), r1.Share(5));
        Assert.Equal(50.0, r0.NumItemsPerRank(100));
    }

    [Fact]
    public void Gathered_parts_of_a_group_are_joined_in_sample_order()
    {
        GroupOutcome Part(string prompt, int first, params int[] ids) =>
            new(3, prompt, ids.Select(i => new[] { i }).ToArray(), ids.Select(i => $"c{i}").ToArray(), ids.Select(i => new double?[] { i }).ToArray(), first);
        var joined = GroupOutcome.Join([Part("a", 0, 0, 1, 2), Part("a", 3, 3), Part("b", 0, 4, 5), Part("b", 2, 6, 7)]);
        Assert.Equal(2, joined.Count);
        Assert.Equal(["c0", "c1", "c2", "c3"], joined[0].CompletionTexts);
        Assert.Equal([6.0, 7.0], joined[1].Rewards.Skip(2).Select(r => r[0]!.Value));
        Assert.All(joined, g => Assert.Equal(0, g.FirstSample));
        // A part that does not continue the one before it means the ranks disagree on the round.
        Assert.Throws<InvalidOperationException>(() => GroupOutcome.Join([Part("a", 0, 0, 1), Part("a", 3, 3)]));
        Assert.Throws<InvalidOperationException>(() => GroupOutcome.Join([Part("a", 0, 0, 1), Part("b", 2, 2)]));
    }

    [Fact]
    public void Ranks_holding_parts_of_groups_assemble_the_rows_and_advantages_of_one_process()
    {
        // 3 prompts x 4 completions, rewards varying within each group; rank 0 holds completions [0, 6), rank 1 [6, 12).
        var options = GrpoAlgorithmOptions.Defaults(TrlCompat.V1_9) with { NumGenerations = 4, RewardWeights = [1.0] };
        var row = new DatasetRow(["prompt"], ["p"], new RowSource("test", "train", 0));
        RolloutGroup Group(int prompt, int first, int count) => new()
        {
            Row = row,
            Prompt = prompt,
            PromptIds = Enumerable.Range(10, 2 + prompt).ToArray(),
            PromptText = $"prompt {prompt}",
            FirstSample = first,
            CompletionIds = Enumerable.Range(first, count).Select(s => Enumerable.Repeat(100 + s, 1 + (prompt * 4 + s) % 3).Append(2).ToArray()).ToArray(),
            CompletionTexts = Enumerable.Range(first, count).Select(s => $"{prompt}.{s}").ToArray(),
            Rewards = Enumerable.Range(first, count).Select(s => new double?[] { (prompt + 1) * s * s }).ToArray(),
        };
        RolloutBatch Assemble(IReadOnlyList<RolloutGroup> groups, (IReadOnlyList<GroupOutcome>, int[])? round) =>
            RolloutAssembler.Assemble(groups, ["r"], options, eosTokenId: 2, padTokenId: 0, TorchSharp.torch.CPU, round: round);

        using var whole = Assemble([Group(0, 0, 4), Group(1, 0, 4), Group(2, 0, 4)], null);
        IReadOnlyList<RolloutGroup> rank0 = [Group(0, 0, 4), Group(1, 0, 2)], rank1 = [Group(1, 2, 2), Group(2, 0, 4)];
        var all = GroupOutcome.Join(rank0.Concat(rank1).Select(GroupOutcome.Of));
        using var part0 = Assemble(rank0, (all, [0, 1, 2, 3, 4, 5]));
        using var part1 = Assemble(rank1, (all, [6, 7, 8, 9, 10, 11]));
        Assert.Equal(whole.Advantages.data<float>().ToArray(), part0.Advantages.data<float>().ToArray().Concat(part1.Advantages.data<float>().ToArray()));
        Assert.Equal(whole.CompletionTexts, part0.CompletionTexts.Concat(part1.CompletionTexts));
        Assert.Equal([0, 0, 0, 0, 1, 1], part0.PromptRow);
        Assert.Equal([0, 0, 1, 1, 1, 1], part1.PromptRow);
        Assert.Equal(["prompt 1", "prompt 2"], part1.PromptTexts);
        Assert.Equal(whole.NumItemsInBatch, part1.NumItemsInBatch);
        Assert.Equal(whole.Metrics, part0.Metrics);
        Assert.Equal(whole.Round.Advantages, part1.Round.Advantages);
        // Each rank's rows are its completions, and a rank's slice must start where its first part says it does.
        Assert.Equal(whole.CompletionIds.narrow(0, 6, 6).data<long>().ToArray().Where(x => x != 0), part1.CompletionIds.data<long>().ToArray().Where(x => x != 0));
        // Rows of prompts sampled elsewhere: their prompt comes from a prompt-only group, the completions from the round.
        using var mixed = Assemble([.. rank1, Group(0, 0, 0)], (all, [2, 7, 8, 11]));
        Assert.Equal(new[] { 0, 1, 2, 2 }, mixed.PromptRow);
        Assert.Equal(new[] { "0.2", "1.3", "2.0", "2.3" }, mixed.CompletionTexts);
        var wholeAdvantages = whole.Advantages.data<float>().ToArray();
        Assert.Equal(new[] { 2, 7, 8, 11 }.Select(k => wholeAdvantages[k]), mixed.Advantages.data<float>().ToArray());
        Assert.Equal(["prompt 0", "prompt 1", "prompt 2"], mixed.PromptTexts);
        // A row whose prompt no local group holds, or rows out of order, are refused.
        Assert.Throws<ArgumentException>(() => Assemble(rank1, (all, [0, 7])));
        Assert.Throws<ArgumentException>(() => Assemble(rank1, (all, [7, 6])));
    }

    [Theory]
    [InlineData(4, 2)] // a round serves 2 optimizer steps of 2 micro-steps
    [InlineData(4, 1)] // 4 optimizer steps
    [InlineData(2, 4)] // every step takes whole rounds: each rank keeps the rows it generated
    public void Every_micro_step_trains_the_rows_one_process_trains_whatever_the_number_of_ranks(int s, int ga)
    {
        const int b = 3;
        var one = new GrpoBatchPlan(2 * b, 4, s, 1, ga);
        var two = new GrpoBatchPlan(b, 4, s, 1, ga, WorldSize: 2);
        var (oneRows, oneOrder) = RoundRows.Assign(one, 0, roundSeed: 77);
        Assert.Equal(Enumerable.Range(0, 2 * b * s), oneRows);
        var ranks = Enumerable.Range(0, 2).Select(r => RoundRows.Assign(two, r, roundSeed: 77)).ToArray();
        int[] MicroRows((int[] Rows, int[] Positions) a, int batch, int k) => a.Positions.AsSpan(k * batch, batch).ToArray().Select(i => a.Rows[i]).ToArray();
        for (int step = 0; step < s * 1 / Math.Min(ga, s); step++)
        {
            // The rows of an optimizer step (GA micro-steps, or the whole round when GA >= S) on one process and on two ranks.
            var micro = Enumerable.Range(step * Math.Min(ga, s), Math.Min(ga, s)).ToArray();
            var oneStep = micro.SelectMany(k => MicroRows((oneRows, oneOrder), 2 * b, k)).Order();
            var twoStep = ranks.SelectMany(a => micro.SelectMany(k => MicroRows(a, b, k))).Order();
            Assert.Equal(oneStep, twoStep);
        }
        // Each rank trains B·S distinct rows, all of the round's rows between them.
        Assert.All(ranks, a => Assert.Equal(b * s, a.Rows.Distinct().Count()));
        Assert.Equal(Enumerable.Range(0, 2 * b * s), ranks.SelectMany(a => a.Rows).Order());
        Assert.Equal(oneOrder, RoundRows.Assign(one, 0, roundSeed: 77).Positions);
        Assert.NotEqual(oneOrder, RoundRows.Assign(one, 0, roundSeed: 78).Positions);
        if (ga % s == 0) Assert.Equal(Enumerable.Range(b * s, b * s), ranks[1].Rows);
    }

    [Fact]
    public void The_entropy_threshold_is_taken_over_every_ranks_valid_tokens()
    {
        // One process's micro-batch of 4 rows, and the same rows as two ranks' micro-batches of 2.
        using var scope = TorchSharp.torch.NewDisposeScope();
        var entropies = TorchSharp.torch.tensor(new float[] { 1.1f, 1.9f, 1.5f, 1.3f, 2.0f, 0, 0.7f, 0.2f, 0.5f, 0.4f, 0.6f, 0 }, [4, 3]);
        var mask = TorchSharp.torch.tensor(new long[] { 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0 }, [4, 3]);
        var one = EntropyMask.HighEntropy(entropies, mask, 0.4).data<bool>().ToArray();
        var top = entropies.narrow(0, 0, 2);
        var bottom = entropies.narrow(0, 2, 2);
        var topValid = top.masked_select(mask.narrow(0, 0, 2).to(TorchSharp.torch.ScalarType.Bool));
        var bottomValid = bottom.masked_select(mask.narrow(0, 2, 2).to(TorchSharp.torch.ScalarType.Bool));
        // Rank 0 with rank 1's valid entropies arriving through the communicator.
        var rank0 = new DataParallel(new Peer(0, [], MemoryMarshal.AsBytes(bottomValid.data<float>().ToArray().AsSpan()).ToArray()));
        var gathered = rank0.GatherEntropies(topValid);
        Assert.Equal(topValid.data<float>().ToArray().Concat(bottomValid.data<float>().ToArray()), gathered.data<float>().ToArray());
        var r0 = EntropyMask.HighEntropy(top, mask.narrow(0, 0, 2), 0.4, rank0.GatherEntropies).data<bool>().ToArray();
        var r1 = EntropyMask.HighEntropy(bottom, mask.narrow(0, 2, 2), 0.4, _ => gathered).data<bool>().ToArray();
        Assert.Equal(one, r0.Concat(r1));
        // Each rank's own threshold would keep other tokens: the gather matters here.
        Assert.NotEqual(one, EntropyMask.HighEntropy(top, mask.narrow(0, 0, 2), 0.4).data<bool>().ToArray().Concat(
            EntropyMask.HighEntropy(bottom, mask.narrow(0, 2, 2), 0.4).data<bool>().ToArray()));
        // A rank without a valid token still takes part in the gather and keeps nothing.
        bool called = false;
        var none = EntropyMask.HighEntropy(top, TorchSharp.torch.zeros_like(mask.narrow(0, 0, 2)), 0.4, v => { called = true; return gathered; });
        Assert.True(called);
        Assert.False(none.any().item<bool>());
    }

    [Fact]
    public void Micro_batches_that_must_equal_one_processes_take_rows_from_the_whole_round()
    {
        // S = GA = 2: each step takes whole rounds, so each rank keeps its rows — unless the micro-batches themselves
        // must be one process's (top_entropy_quantile < 1).
        var two = new GrpoBatchPlan(3, 4, 2, 1, 2, WorldSize: 2);
        var one = RoundRows.Assign(new GrpoBatchPlan(6, 4, 2, 1, 2), 0, roundSeed: 5);
        Assert.Equal(Enumerable.Range(6, 6), RoundRows.Assign(two, 1, roundSeed: 5).Rows);
        var ranks = Enumerable.Range(0, 2).Select(r => RoundRows.Assign(two, r, roundSeed: 5, sameMicroBatches: true)).ToArray();
        for (int k = 0; k < 2; k++)
            Assert.Equal(one.Positions.AsSpan(k * 6, 6).ToArray().Order(),
                ranks.SelectMany(a => a.Positions.AsSpan(k * 3, 3).ToArray().Select(i => a.Rows[i])).Order());
    }

    [Fact]
    public void Prompt_groups_need_to_divide_the_jobs_round_not_one_ranks_share()
    {
        var config = new GrpoConfig { OutputDir = "out", PerDeviceTrainBatchSize = 1, NumGenerations = 2 };
        var e = Assert.Throws<ConfigException>(() => config.Validate(processes: 1));
        Assert.Contains("must be divisible by num_generations", e.Message);
        config.Validate(processes: 2);
        Assert.Equal(6, (config with { PerDeviceTrainBatchSize = 3 }).EffectiveGenerationBatchSize(2));
        Assert.Contains("x 2 processes", Assert.Throws<ConfigException>(() => (config with { PerDeviceTrainBatchSize = 3, NumGenerations = 4 }).Validate(processes: 2)).Message);
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
