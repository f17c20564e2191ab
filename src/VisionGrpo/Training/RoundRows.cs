using TorchSharp;

namespace VisionGrpo.Training;

/// <summary>
/// Which of a generation round's rows each rank trains on, and in which micro-step. One process trains the round's
/// rows in a shuffled order (TRL shuffles a round that serves several micro-steps), B per micro-step. N ranks give
/// every micro-step the same rows one process with N·B per micro-step gives it: micro-step k of the round takes rows
/// [k·N·B, (k+1)·N·B) of the round's permutation and rank r the B of them at r·B — so when a round serves several
/// optimizer steps, each step trains on the same rows on any number of ranks. The permutation is drawn from a
/// generator seeded with the round's seed alone, so every rank draws the same one.
/// </summary>
internal static class RoundRows
{
    /// <summary>Separates the shuffle's generator from the round's other seeds.</summary>
    const long ShuffleSalt = 0x5DEECE66DL;

    /// <summary>
    /// The order in which the round's <paramref name="rows"/> rows are trained: as generated when one micro-step takes
    /// them all (S = 1), else a permutation from a generator seeded with <paramref name="roundSeed"/>.
    /// </summary>
    public static int[] Order(int rows, int stepsPerGeneration, long roundSeed)
    {
        if (stepsPerGeneration == 1) return Enumerable.Range(0, rows).ToArray();
        Tensors.TorchRuntime.EnsureInitialized();
        using var generator = new torch.Generator((ulong)(roundSeed ^ ShuffleSalt), torch.CPU);
        using var perm = torch.randperm(rows, generator: generator, dtype: torch.int64);
        return perm.data<long>().Select(i => (int)i).ToArray();
    }

    /// <summary>
    /// The rows rank <paramref name="rank"/> trains on (ascending round indices) and, micro-step after micro-step,
    /// their positions in that list (micro-step k of the round: positions [k·B, (k+1)·B)).
    /// </summary>
    /// <remarks>
    /// When every optimizer step takes whole rounds (gradient_accumulation_steps a multiple of S), the micro-step a
    /// row lands in changes only the summation order, so each rank trains on the rows it generated and shuffles
    /// them itself; the rows of other ranks are needed only when a round's rows are split over optimizer steps, or
    /// when <paramref name="sameMicroBatches"/> asks for each micro-step's rows to be one process's (a loss that
    /// looks at the micro-batch as a whole: <c>top_entropy_quantile</c> &lt; 1).
    /// </remarks>
    public static (int[] Rows, int[] Positions) Assign(GrpoBatchPlan plan, int rank, long roundSeed, bool sameMicroBatches = false)
    {
        int n = plan.WorldSize, b = plan.BatchSize, s = plan.StepsPerGeneration, local = b * s;
        if (n == 1 || s == 1 || (plan.GradientAccumulation % s == 0 && !sameMicroBatches))
            return (Enumerable.Range(rank * local, local).ToArray(), Order(local, s, roundSeed));
        var order = Order(n * local, s, roundSeed);
        var trained = Enumerable.Range(0, s).SelectMany(k => order.AsSpan(k * n * b + rank * b, b).ToArray()).ToArray();
        var rows = trained.Order().ToArray();
        var position = rows.Select((row, i) => (row, i)).ToDictionary(x => x.row, x => x.i);
        return (rows, trained.Select(row => position[row]).ToArray());
    }
}
