using TorchSharp;
using VisionGrpo.Distributed;
using VisionGrpo.Training.Config;
using static TorchSharp.torch;

namespace VisionGrpo.Training;

/// <summary>
/// How the GRPO trainer splits a step over the ranks of an MPI job, as TRL under accelerate does with N processes:
/// every rank draws the same round from the repeat sampler and takes its contiguous slice of the round's completions
/// (rank r: [r·B·S, (r+1)·B·S); a prompt's group may span ranks); the groups' rewards are gathered so advantages and metrics cover the whole round; each rank's
/// loss is normalised as TRL's is on that rank (dapo: the round's global token count divided by N); gradients are
/// averaged with one bucketed allreduce per optimizer step; the logged loss and per-micro-step metrics are reduced
/// over the ranks. With one rank every method is the identity and nothing is communicated.
/// </summary>
internal sealed class DataParallel
{
    /// <summary>The communicator (single-process when the run is not under MPI).</summary>
    public ICommunicator Comm { get; }

    /// <summary>Creates the split for <paramref name="comm"/>.</summary>
    public DataParallel(ICommunicator comm) => Comm = comm;

    /// <summary>This process's rank.</summary>
    public int Rank => Comm.Rank;
    /// <summary>Number of ranks.</summary>
    public int Size => Comm.Size;
    /// <summary>Whether this rank writes logs, checkpoints and console output.</summary>
    public bool IsRoot => Comm.Rank == 0;

    /// <summary>
    /// The completions of a round of <paramref name="roundCompletions"/> = N·B·S this rank samples: the contiguous
    /// slice [r·B·S, (r+1)·B·S), as TRL's repeat-sampler order split over N processes gives it. Completion k is
    /// sample k mod G of the round's prompt k / G, so a slice may start or end inside a prompt's group.
    /// </summary>
    public RankSlice CompletionsOf(int roundCompletions, int numGenerations)
    {
        if (roundCompletions % Size != 0 || roundCompletions % numGenerations != 0)
            throw new ArgumentException($"a round of {roundCompletions} completions cannot be split over {Size} ranks in groups of num_generations {numGenerations}.");
        int per = roundCompletions / Size;
        return new RankSlice(Rank * per, per, numGenerations);
    }

    /// <summary>This rank's contiguous share of <paramref name="rows"/> rows (the first ranks take one more when it does not divide).</summary>
    public (int First, int Count) Share(int rows)
    {
        int per = rows / Size, extra = rows % Size;
        return (Rank * per + Math.Min(Rank, extra), per + (Rank < extra ? 1 : 0));
    }

    /// <summary>
    /// The dapo/cispo/vespo normaliser this rank divides by: TRL divides each process's token sum by
    /// <c>num_items_in_batch / num_processes</c>, so that averaging the gradients over the ranks gives the token mean
    /// of the whole round.
    /// </summary>
    public double NumItemsPerRank(long roundItems) => (double)roundItems / Size;

    /// <summary>
    /// Per-micro-step loss metrics reduced over the ranks: names ending in <c>_min</c>/<c>_max</c> take the extreme,
    /// the others (token means: entropy, kl, clip ratios) are weighted by each rank's valid tokens, so they equal the
    /// value one process computes over all the rows.
    /// </summary>
    public IReadOnlyDictionary<string, double> ReduceLossMetrics(IReadOnlyDictionary<string, double> local, long localTokens)
    {
        if (Size == 1) return local;
        var keys = local.Keys.Order(StringComparer.Ordinal).ToArray();
        var mine = new double[keys.Length + 1];
        mine[0] = localTokens;
        for (int i = 0; i < keys.Length; i++) mine[i + 1] = local[keys[i]];
        var all = Comm.AllGather(mine);
        if (all.Length != mine.Length * Size) throw new MpiException($"ranks logged different loss metrics (rank {Rank}: {string.Join(", ", keys)}).");
        var rows = all.Chunk(mine.Length).ToArray();
        var result = new Dictionary<string, double>(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            var values = rows.Select(r => (Weight: r[0], Value: r[i + 1])).Where(x => !double.IsNaN(x.Value)).ToArray();
            result[keys[i]] = values.Length == 0 ? double.NaN
                : keys[i].EndsWith("_min", StringComparison.Ordinal) ? values.Min(x => x.Value)
                : keys[i].EndsWith("_max", StringComparison.Ordinal) ? values.Max(x => x.Value)
                : values.Sum(x => x.Weight) is > 0 and var w ? values.Sum(x => x.Weight * x.Value) / w
                : values.Average(x => x.Value);
        }
        return result;
    }

    /// <summary>
    /// One small allreduce at the end of an optimizer step's micro-steps: the step loss averaged over the ranks (the
    /// HF Trainer logs the mean of the processes' losses), whether any rank saw a non-finite loss, and whether any
    /// rank was asked to stop — so every rank takes the same decision at the same step.
    /// </summary>
    public (double Loss, bool NonFinite, bool Stop) ReduceStep(double loss, bool nonFinite, bool stop)
    {
        if (Size == 1) return (loss, nonFinite, stop);
        Span<double> sums = [double.IsFinite(loss) ? loss : 0, nonFinite || !double.IsFinite(loss) ? 1 : 0, stop ? 1 : 0];
        Comm.AllReduceSum(sums);
        bool bad = sums[1] > 0;
        return (bad ? double.NaN : sums[0] / Size, bad, sums[2] > 0);
    }

    /// <summary>
    /// Every rank's valid-token entropies of the current micro-step (1-D float32, rank order) on
    /// <paramref name="local"/>'s device: <c>top_entropy_quantile</c>'s threshold is taken over all of them, as TRL
    /// gathers them across processes; the micro-step's rows are the ones one process's micro-step holds
    /// (<see cref="RoundRows"/>), so the threshold is the one-process one.
    /// </summary>
    public Tensor GatherEntropies(Tensor local)
    {
        if (Size == 1) return local;
        var all = Comm.AllGather(local.to(ScalarType.Float32).cpu().data<float>().ToArray());
        return torch.tensor(all, ScalarType.Float32, local.device);
    }

    /// <summary>Averages the trainable gradients over the ranks (one bucket); returns the bytes this rank sent.</summary>
    public long AverageGradients(IReadOnlyList<Tensor> parameters) => GradientAllReduce.Average(Comm, parameters);

    /// <summary>
    /// Copies rank 0's values of <paramref name="parameters"/> to every rank, so all ranks start from the same
    /// weights even if their initialisation or checkpoint loading differed.
    /// </summary>
    public void BroadcastParameters(IReadOnlyList<Tensor> parameters)
    {
        if (Size == 1 || parameters.Count == 0) return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var flat = FlatBucket.Pack(parameters);
        Comm.Broadcast(flat.bytes, root: 0);
        foreach (var (p, value) in FlatBucket.Unpack(flat, parameters)) p.copy_(value);
    }

    /// <summary>Whether <paramref name="lossType"/> divides by the round's global token count (then <see cref="NumItemsPerRank"/> applies).</summary>
    public static bool UsesGlobalTokenCount(GrpoLossType lossType) => lossType is GrpoLossType.Dapo or GrpoLossType.Cispo or GrpoLossType.Vespo;
}

/// <summary>
/// A rank's contiguous share of a round's completions: [<paramref name="First"/>, <paramref name="First"/> +
/// <paramref name="Count"/>), where completion k is sample k mod G of prompt k / G.
/// </summary>
/// <param name="First">Round index of the rank's first completion.</param>
/// <param name="Count">Completions on the rank.</param>
/// <param name="G">num_generations.</param>
internal readonly record struct RankSlice(int First, int Count, int G)
{
    /// <summary>The round's prompts the slice touches: [first, first + count) (the first and last may be shared with a neighbour).</summary>
    public (int First, int Count) Prompts => (First / G, (First + Count - 1) / G - First / G + 1);
}
