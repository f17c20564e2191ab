using System.CommandLine;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using VisionGrpo.Cli.Commands;
using VisionGrpo.Tensors;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Logging;
using VisionGrpo.Training.Optim;
using static TorchSharp.torch;

namespace VisionGrpo.Tests.Training;

public class TrainingUtilitiesTests
{
    [Fact]
    public void MetricsBufferAveragesPerTrlVersion()
    {
        var buffer = new GrpoMetricsBuffer();
        buffer.AppendAll(new Dictionary<string, double> { ["kl"] = 0.5, ["num_tokens"] = 10 });
        buffer.AppendAll(new Dictionary<string, double> { ["kl"] = double.NaN, ["num_tokens"] = 30 });
        buffer.Append("reward", double.NaN);
        var v19 = buffer.Drain(TrlCompat.V1_9).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(0.5, v19["kl"]);
        Assert.Equal(30.0, v19["num_tokens"]);
        Assert.Null(v19["reward"]);
        Assert.True(buffer.IsEmpty);
        buffer.Append("kl", 0.5);
        buffer.Append("kl", double.NaN);
        var v020 = buffer.Drain(TrlCompat.V0_20, eval: true).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.True(double.IsNaN((double)v020["eval_kl"]!));
    }

    [Fact]
    public void AdamWResumedFromSavedStateContinuesIdentically()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, -1, 0.5f, 3, -2 }, new long[] { 3, 2 });
        var y = torch.tensor(new float[] { 1, -1, 0.5f }, new long[] { 3, 1 });
        (Parameter W, Parameter B) Fresh() => (new Parameter(torch.tensor(new float[] { 0.1f, -0.2f }, new long[] { 2, 1 })), new Parameter(torch.zeros(1)));
        void Train(AdamWOptimizer opt, Parameter w, Parameter b, LrScheduler s, int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                opt.ZeroGrad();
                var loss = (x.mm(w) + b - y).square().sum();
                loss.backward();
                opt.ClipGradNorm(1.0);
                opt.Step();
                opt.SetLearningRate(s.Step());
            }
        }
        var (w1, b1) = Fresh();
        var s1 = new LrScheduler(LrSchedulerType.Linear, 0.05, 1, 6);
        using var o1 = new AdamWOptimizer(new[] { ("w.weight", w1), ("w.bias", b1) }, s1.CurrentLearningRate, weightDecay: 0.1);
        Train(o1, w1, b1, s1, 6);

        string path = Path.Combine(Path.GetTempPath(), $"vg-adamw-{Guid.NewGuid():N}");
        try
        {
            var (w2, b2) = Fresh();
            var s2 = new LrScheduler(LrSchedulerType.Linear, 0.05, 1, 6);
            using (var o2 = new AdamWOptimizer(new[] { ("w.weight", w2), ("w.bias", b2) }, s2.CurrentLearningRate, weightDecay: 0.1))
            {
                Train(o2, w2, b2, s2, 3);
                o2.Save(path);
            }
            var state = s2.StateDict();
            var (w3, b3) = (new Parameter(w2.detach().clone()), new Parameter(b2.detach().clone()));
            var s3 = new LrScheduler(LrSchedulerType.Linear, 0.05, 1, 6);
            s3.LoadStateDict(state);
            using var o3 = new AdamWOptimizer(new[] { ("w.weight", w3), ("w.bias", b3) }, s3.CurrentLearningRate, weightDecay: 0.1);
            o3.Load(path);
            o3.SetLearningRate(s3.CurrentLearningRate);
            Train(o3, w3, b3, s3, 3);
            Assert.Equal(w1.data<float>().ToArray(), w3.data<float>().ToArray());
            Assert.Equal(b1.data<float>().ToArray(), b3.data<float>().ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void GrpoComputeVerbWritesOneRecordPerLineAndReportsBadRecords()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"vg-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, "in.jsonl"), output = Path.Combine(dir, "out.jsonl");
            var good = GrpoFixtureCases.Get("dev-loss-005@v1.9.0");
            good.Remove("outputs");
            var unknownKind = GrpoFixtureCases.Get("dev-adv-001@v1.9.0");
            unknownKind["kind"] = "policy";
            var oldDapo = GrpoFixtureCases.Get("dev-loss-013@v1.9.0");
            oldDapo["trl_version"] = "0.20.0";
            File.WriteAllLines(input, new[] { good.ToJsonString(), "{not json", unknownKind.ToJsonString(), oldDapo.ToJsonString() });

            var root = new RootCommand();
            root.Subcommands.Add(GrpoCommand.Create());
            int rc = root.Parse(new[] { "grpo", "compute", "--input", input, "--output", output }).Invoke();
            Assert.Equal(0, rc);

            var lines = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(4, lines.Count);
            var expected = GrpoFixtureCases.Get("dev-loss-005@v1.9.0")["outputs"]!;
            Assert.Equal(GrpoFixtureCases.Number(expected["loss"]), GrpoFixtureCases.Number(lines[0]["outputs"]!["loss"]), 1e-12);
            Assert.Contains(":2", lines[1]["error"]!["raised_at"]!.GetValue<string>());
            Assert.Contains("policy", lines[2]["error"]!["message"]!.GetValue<string>());
            Assert.Contains("TRL 0.20", lines[3]["error"]!["message"]!.GetValue<string>());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
