namespace VisionGrpo.Training.Logging;

/// <summary>transformers' <c>rewrite_logs</c>: <c>eval_x</c> → <c>eval/x</c>, <c>test_x</c> → <c>test/x</c>, else <c>train/x</c>.</summary>
internal static class TensorBoardTags
{
    /// <summary>The TensorBoard tag of a logged metric name (e.g. <c>loss</c> → <c>train/loss</c>).</summary>
    public static string ForMetric(string key) =>
        key.StartsWith("eval_", StringComparison.Ordinal) ? "eval/" + key["eval_".Length..]
        : key.StartsWith("test_", StringComparison.Ordinal) ? "test/" + key["test_".Length..]
        : "train/" + key;
}
