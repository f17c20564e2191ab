using VisionGrpo.Data.Synthetic;

namespace VisionGrpo.Tests.Evaluation;

/// <summary>A tiny random VLM with the real tokenizer and an 8-row synthetic visual-math dataset, shared by a test class.</summary>
public sealed class EvalFixture : IDisposable
{
    /// <summary>Creates both in a fresh temp folder.</summary>
    public EvalFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "vg-eval-" + Guid.NewGuid().ToString("N"));
        ModelDir = TinyVlmFolder.Create(Path.Combine(Root, "model"));
        DatasetDir = Path.Combine(Root, "data");
        SynthDatasetWriter.Write(DatasetDir, new VisualMathGenerator(seed: 7), rows: 8, shards: 1);
    }

    /// <summary>Temp folder holding everything (deleted on dispose).</summary>
    public string Root { get; }
    /// <summary>The model folder.</summary>
    public string ModelDir { get; }
    /// <summary>The dataset folder (split <c>train</c> only).</summary>
    public string DatasetDir { get; }

    /// <summary>Deletes the temp folder.</summary>
    public void Dispose() => Directory.Delete(Root, recursive: true);
}
