namespace VisionGrpo.Training.Logging;

/// <summary>
/// A PNG of the reward curves of a run (ScottPlot): each <c>rewards/&lt;name&gt;/mean</c> of the training logs over
/// the steps as a line, and the evaluations (<c>eval_rewards/&lt;name&gt;/mean</c>) as markers in the same colour.
/// </summary>
internal static class RewardChart
{
    /// <summary>Draws the curves found in <paramref name="logHistory"/> into <paramref name="path"/>.</summary>
    /// <returns>The reward names drawn.</returns>
    public static IReadOnlyList<string> Save(string path, IReadOnlyList<IReadOnlyDictionary<string, object?>> logHistory, string title = "GRPO rewards")
    {
        var names = logHistory.SelectMany(e => e.Keys)
            .Where(k => k.StartsWith("rewards/", StringComparison.Ordinal) && k.EndsWith("/mean", StringComparison.Ordinal))
            .Select(k => k["rewards/".Length..^"/mean".Length]).Distinct().ToList();
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < names.Count; i++)
        {
            var color = palette.GetColor(i);
            var (xs, ys) = Series(logHistory, $"rewards/{names[i]}/mean");
            if (xs.Length > 0)
            {
                var line = plot.Add.Scatter(xs, ys, color);
                line.LegendText = $"{names[i]} (train)";
                line.MarkerSize = xs.Length > 40 ? 0 : 4;
            }
            var (ex, ey) = Series(logHistory, $"eval_rewards/{names[i]}/mean");
            if (ex.Length > 0)
            {
                var points = plot.Add.ScatterPoints(ex, ey, color);
                points.MarkerSize = 9;
                points.MarkerShape = ScottPlot.MarkerShape.FilledDiamond;
                points.LegendText = $"{names[i]} (eval)";
            }
        }
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("mean reward");
        plot.Axes.SetLimitsY(-0.05, 1.05);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 500);
        return names;
    }

    static (double[] X, double[] Y) Series(IReadOnlyList<IReadOnlyDictionary<string, object?>> history, string key)
    {
        var points = history
            .Where(e => e.TryGetValue(key, out var v) && v is double && e.TryGetValue("step", out var s) && s is not null)
            .Select(e => (X: Convert.ToDouble(e["step"], System.Globalization.CultureInfo.InvariantCulture), Y: (double)e[key]!))
            .ToList();
        return (points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
    }
}
