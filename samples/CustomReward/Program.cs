// GRPO on the demo model with a reward written in C#: two steps, from the VisionGrpo packages alone.
// Usage: dotnet run -- [demo model folder (default: models/visiongrpo-demo above this folder)] [output folder]
using System.Text.RegularExpressions;
using VisionGrpo.Data;
using VisionGrpo.Data.Synthetic;
using VisionGrpo.Lora;
using VisionGrpo.Rewards;
using VisionGrpo.Training;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Optim;

string model = args.Length > 0 ? args[0] : DemoModel(Environment.CurrentDirectory);
var generator = new VisualMathGenerator(seed: 7, SynthDifficulty.Demo, VisualMathGenerator.TemplatesNamed(["count_dots"]));
var rows = generator.Generate(32).Select(e => new Dictionary<string, object?> { ["image"] = e.Image, ["problem"] = e.Problem, ["answer"] = e.Answer });

// 1 when the <answer> holds the true count, 0.25 when it is off by one, else 0.
var count = RewardFunction.From("count", batch => Enumerable.Range(0, batch.Count).Select(i =>
    Regex.Match(batch.Completions[i], @"<answer>\D*(\d+)\D*</answer>") is { Success: true } m
        ? Math.Abs(int.Parse(m.Groups[1].Value) - int.Parse(batch.ColumnString("answer", i))) switch { 0 => 1f, 1 => 0.25f, _ => 0f }
        : 0f));

using var policy = PolicyModel.Load(new PolicyLoadOptions
{
    ModelNameOrPath = model, Bf16 = false, Device = "cpu", GradientCheckpointing = false,
    Peft = new LoraConfig { R = 16, LoraAlpha = 32, TargetModules = LoraTargetModules.FromNames(["q_proj", "v_proj"]) },
});
var config = new GrpoConfig
{
    OutputDir = args.Length > 1 ? args[1] : "out/custom-reward", MaxSteps = 2, LoggingSteps = 1, LearningRate = 5e-4,
    PerDeviceTrainBatchSize = 16, NumGenerations = 8, MaxCompletionLength = 32,
    LossType = GrpoLossType.Dapo, LrSchedulerType = LrSchedulerType.Constant, SaveStrategy = IntervalStrategy.No,
};
var events = new TrainerEvents { Log = entry => Console.WriteLine(string.Join(", ", entry.Select(kv => $"{kv.Key}: {kv.Value}"))) };
using var trainer = new GrpoTrainer(policy, [new FormatReward(), count], config, Dataset.FromRows(rows), events: events);
trainer.Train();

static string DemoModel(string dir) =>
    Directory.Exists(Path.Combine(dir, "models", "visiongrpo-demo")) ? Path.Combine(dir, "models", "visiongrpo-demo")
    : Directory.GetParent(dir) is { } up ? DemoModel(up.FullName)
    : throw new DirectoryNotFoundException("models/visiongrpo-demo not found above the working directory: pass the demo model's folder.");
