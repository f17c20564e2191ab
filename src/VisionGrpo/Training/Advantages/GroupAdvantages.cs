using TorchSharp;
using VisionGrpo.Tensors;
using VisionGrpo.Training.Config;
using static TorchSharp.torch;

namespace VisionGrpo.Training.Advantages;

/// <summary>
/// Group-relative advantages exactly as TRL's <c>_generate_and_score_completions</c> computes them: the
/// rewards matrix [N, F] (NaN = the function returned None) is combined with the reward weights, normalised per group
/// of <c>num_generations</c> consecutive rows and scaled per <c>scale_rewards</c>. Runs in float32 with TRL's op order.
/// </summary>
internal static class GroupAdvantages
{
    /// <summary>Added to σ before dividing (TRL's constant).</summary>
    public const float StdEpsilon = 1e-4f;

    /// <summary>
    /// Computes advantages and reward metrics. <paramref name="rewards"/> is row-major [N, F] with <c>null</c> for None.
    /// Under TRL 0.20 semantics a row that every function scored None would crash TRL; here the batch falls back to
    /// 1.9's NaN-aware computation (that row gets advantage 0) and a warning is returned.
    /// </summary>
    /// <param name="rewards">rewards[i][f]: reward of row i by function f; null = None.</param>
    /// <param name="rewardNames">One name per function (used in <c>rewards/&lt;name&gt;/…</c>).</param>
    /// <param name="options">G, weights, scale_rewards, aggregation and the TRL version.</param>
    /// <exception cref="ArgumentException">Ragged rows, N not a multiple of G, or a wrong number of names/weights.</exception>
    public static AdvantageResult Compute(IReadOnlyList<IReadOnlyList<double?>> rewards, IReadOnlyList<string> rewardNames,
        GrpoAlgorithmOptions options)
    {
        int n = rewards.Count, f = rewardNames.Count, g = options.NumGenerations;
        if (f == 0) throw new ArgumentException("at least one reward function is needed.");
        if (n == 0) throw new ArgumentException("the rewards matrix has no rows.");
        if (g < 1 || n % g != 0)
            throw new ArgumentException($"{n} completion rows are not a whole number of groups of num_generations = {g}.");
        var matrix = new float[n * f];
        for (int i = 0; i < n; i++)
        {
            if (rewards[i].Count != f)
                throw new ArgumentException($"reward row {i} has {rewards[i].Count} values, expected one per function ({f}).");
            for (int j = 0; j < f; j++) matrix[i * f + j] = rewards[i][j] is { } v ? (float)v : float.NaN;
        }
        double[] weights = options.WeightsFor(f);

        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var r = torch.tensor(matrix, new long[] { n, f }, ScalarType.Float32);
        var w = torch.tensor(weights.Select(x => (float)x).ToArray(), ScalarType.Float32).unsqueeze(0);
        var unscorable = r.isnan().all(1);
        var unscorableFlags = unscorable.data<bool>().ToArray();
        var unscorableRows = Enumerable.Range(0, n).Where(i => unscorableFlags[i]).ToList();
        var warnings = new List<string>();

        var pieces = options.Compat == TrlCompat.V0_20 && unscorableRows.Count == 0
            ? V020(r, w, g, options)
            : V19(r, w, g, options, unscorableRows, warnings);

        var metrics = new Dictionary<string, double>();
        for (int j = 0; j < f; j++)
        {
            var column = r[.., j];
            metrics[$"rewards/{rewardNames[j]}/mean"] = NanOps.NanMean(column).item<float>();
            metrics[$"rewards/{rewardNames[j]}/std"] = NanOps.NanStd(column).item<float>();
        }
        metrics["reward"] = pieces.Reward;
        metrics["reward_std"] = pieces.RewardStd;
        metrics["frac_reward_zero_std"] = pieces.IsStdZero.to(ScalarType.Float32).mean().item<float>();

        return new AdvantageResult
        {
            Advantages = pieces.Advantages.data<float>().ToArray(),
            Rewards = pieces.Rewards.data<float>().ToArray(),
            GroupMeans = pieces.GroupMeans?.data<float>().ToArray(),
            Std = pieces.Std.data<float>().ToArray(),
            IsStdZero = pieces.IsStdZero.data<bool>().ToArray(),
            Metrics = metrics,
            UnscorableRows = unscorableRows,
            Warnings = warnings,
        };
    }

    sealed record Pieces(Tensor Advantages, Tensor Rewards, Tensor? GroupMeans, Tensor Std, Tensor IsStdZero,
        double Reward, double RewardStd);

    /// <summary>TRL 0.20: nansum, plain group mean, torch.std (Bessel), truthy scale_rewards; std metrics per group.</summary>
    static Pieces V020(Tensor r, Tensor w, int g, GrpoAlgorithmOptions options)
    {
        var rewards = NanOps.NanSum(r * w, 1);
        var grouped = rewards.view(-1, g);
        var mean = grouped.mean(new long[] { 1 });
        var std = grouped.std(1, unbiased: true);
        var isStdZero = NanOps.IsCloseToZero(std);
        var meanRows = mean.repeat_interleave(g, 0);
        var stdRows = std.repeat_interleave(g, 0);
        var advantages = rewards - meanRows;
        if (options.ScaleRewards != ScaleRewards.None) advantages = advantages / (stdRows + StdEpsilon);
        // 0.20 logs the mean of the group means and the *mean of the group stds* (not the batch std).
        return new Pieces(advantages, rewards, meanRows, stdRows, isStdZero,
            meanRows.mean().item<float>(), stdRows.mean().item<float>());
    }

    /// <summary>TRL 1.9: unscorable rows become NaN, nanmean/nanstd, group/batch/none scaling or GDPO, nan_to_num.</summary>
    static Pieces V19(Tensor r, Tensor w, int g, GrpoAlgorithmOptions options, List<int> unscorableRows, List<string> warnings)
    {
        if (unscorableRows.Count > 0)
        {
            string rows = string.Join(", ", unscorableRows);
            warnings.Add(options.Compat == TrlCompat.V0_20
                ? $"every reward function returned None for row(s) {rows}: TRL 0.20 crashes here; using TRL 1.9's handling (advantage 0, excluded from the group baseline)."
                : $"every reward function returned None for row(s) {rows}: they get advantage 0 and are excluded from the group baseline.");
        }
        var unscorable = r.isnan().all(1);
        long n = r.shape[0], f = r.shape[1];
        Tensor advantages, std, rewardsLocal;
        Tensor? meanRows = null;
        if (options.MultiObjectiveAggregation == MultiObjectiveAggregation.SumThenNormalize)
        {
            var rewards = NanOps.NanSum(r * w, 1);
            rewards = torch.where(unscorable, torch.full_like(rewards, double.NaN), rewards);
            meanRows = NanOps.NanMean(rewards.view(-1, g), 1).repeat_interleave(g, 0);
            if (options.ScaleRewards == ScaleRewards.Batch)
                std = n > 1 ? NanOps.NanStd(rewards).expand_as(rewards) : torch.zeros_like(rewards);
            else
                std = g > 1 ? NanOps.NanStd(rewards.view(-1, g), 1).repeat_interleave(g, 0) : torch.zeros_like(rewards);
            advantages = rewards - meanRows;
            if (options.ScaleRewards != ScaleRewards.None) advantages = advantages / (std + StdEpsilon);
            rewardsLocal = rewards;
        }
        else
        {
            var grouped = r.view(-1, g, f);
            var meanK = NanOps.NanMean(grouped, 1, keepdim: true);
            var stdK = g > 1 ? NanOps.NanStd(grouped, 1, keepdim: true) : torch.zeros_like(meanK);
            var z = ((grouped - meanK) / (stdK + StdEpsilon)).view(-1, f);
            var rewards = NanOps.NanSum(z * w, 1);
            rewards = torch.where(unscorable, torch.full_like(rewards, double.NaN), rewards);
            std = n > 1 ? NanOps.NanStd(rewards).expand_as(rewards) : torch.zeros_like(rewards);
            advantages = (rewards - NanOps.NanMean(rewards)) / (std + StdEpsilon);
            rewardsLocal = rewards;
        }
        var isStdZero = NanOps.IsCloseToZero(std);
        advantages = torch.nan_to_num(advantages, nan: 0.0);

        // Logged reward stats use the raw weighted sum again (for GDPO too), unscorable rows excluded.
        var logged = NanOps.NanSum(r * w, 1);
        logged = torch.where(unscorable, torch.full_like(logged, double.NaN), logged);
        if (options.MultiObjectiveAggregation == MultiObjectiveAggregation.NormalizeThenSum) rewardsLocal = logged;
        return new Pieces(advantages, rewardsLocal, meanRows, std.contiguous(), isStdZero,
            NanOps.NanMean(logged).item<float>(), NanOps.NanStd(logged).item<float>());
    }
}
