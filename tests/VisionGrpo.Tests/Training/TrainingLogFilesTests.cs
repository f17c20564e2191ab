using VisionGrpo.Formats;
using VisionGrpo.Training.Logging;

namespace VisionGrpo.Tests.Training;

public class TrainingLogFilesTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(9.6742671009772e-06, "9.6742671009772e-06")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1234567890123456.0, "1234567890123456.0")]
    [InlineData(-0.00434, "-0.00434")]
    [InlineData(0.03257328990228013, "0.03257328990228013")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(2.5e-300, "2.5e-300")]
    public void FloatsAreWrittenLikePythonRepr(double x, string expected) => Assert.Equal(expected, PythonJson.FloatRepr(x));

    [Fact]
    public void TrainerStateMatchesHfLayoutAndRoundTrips()
    {
        var state = new TrainerState { GlobalStep = 10, Epoch = 10 / 307.0, MaxSteps = 307, LoggingSteps = 10, SaveSteps = 10, TrainBatchSize = 2, NumTrainEpochs = 1 };
        state.AddLog(new Dictionary<string, object?> { ["loss"] = -0.0043, ["learning_rate"] = 9.6742671009772e-06, ["reward"] = double.NaN, ["num_tokens"] = 4096.0 });
        string json = state.ToJson();
        Assert.StartsWith("{\n  \"best_global_step\": null,\n  \"best_metric\": null,\n", json);
        Assert.Contains("\"log_history\": [\n    {\n      \"epoch\": 0.03257328990228013,\n      \"learning_rate\": 9.6742671009772e-06,\n      \"loss\": -0.0043,\n      \"num_tokens\": 4096.0,\n      \"reward\": NaN,\n      \"step\": 10\n    }\n  ],", json);
        Assert.EndsWith("\"train_batch_size\": 2,\n  \"trial_name\": null,\n  \"trial_params\": null\n}\n", json);

        string path = Path.Combine(Path.GetTempPath(), $"vg-state-{Guid.NewGuid():N}.json");
        try
        {
            state.Save(path);
            var back = TrainerState.Load(path);
            Assert.Equal(10, back.GlobalStep);
            Assert.Equal(state.Epoch, back.Epoch);
            Assert.Equal(307, back.MaxSteps);
            var log = Assert.Single(back.LogHistory);
            Assert.Equal(-0.0043, log["loss"]);
            Assert.True(double.IsNaN((double)log["reward"]!));
            Assert.Equal(10L, log["step"]);
            Assert.Equal(json, back.ToJson());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MetricsJsonlAppendsOneLinePerLog()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vg-metrics-{Guid.NewGuid():N}", "metrics.jsonl");
        try
        {
            using (var w = new MetricsJsonlWriter(path))
                w.Write(new Dictionary<string, object?> { ["loss"] = 0.5, ["step"] = 1L });
            using (var w = new MetricsJsonlWriter(path, append: true))
                w.Write(new Dictionary<string, object?> { ["loss"] = 1e-05, ["note"] = "é\"x", ["step"] = 2L });
            Assert.Equal(new[] { "{\"loss\": 0.5, \"step\": 1}", "{\"loss\": 1e-05, \"note\": \"\\u00e9\\\"x\", \"step\": 2}" }, File.ReadAllLines(path));
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }
}
