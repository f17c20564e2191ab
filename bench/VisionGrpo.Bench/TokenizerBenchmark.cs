using System.Diagnostics;
using System.Text;
using VisionGrpo.Text;

namespace VisionGrpo.Bench;

/// <summary>
/// Encode throughput of <see cref="HfTokenizer"/> on a deterministic ≥ 5 MB mixed corpus (English, Chinese, LaTeX,
/// code, emoji, chat markup): single thread and batched (parallel), in MB/s of UTF-8 input and tokens/s.
/// Usage: <c>tokenizer [--model DIR] [--mb N]</c>; DIR defaults to tests/fixtures/tokenizer.
/// </summary>
internal static class TokenizerBenchmark
{
    static readonly string[] English =
        ["the", "model", "answer", "image", "shows", "a", "triangle", "with", "angle", "of", "degrees", "which", "is", "correct",
         "because", "area", "equals", "half", "base", "times", "height", "we", "compute", "first", "then", "therefore", "reasoning",
         "Based", "on", "figure", "It's", "they're", "don't", "value", "options", "Choose", "following", "circle", "radius"];
    static readonly string[] Chinese =
        ["我们", "计算", "三角形", "的", "面积", "答案", "是", "因为", "图中", "角度", "等于", "所以", "半径", "圆", "选项", "正确", "根据", "题目", "已知", "求"];
    static readonly string[] Latex =
        [@"\frac{a}{b}", @"\sqrt{3}", @"x^2 + y^2 = r^2", @"\int_0^1 f(x)\,dx", @"\sum_{i=1}^{n} i", @"\alpha + \beta", @"\left(\frac{1}{2}\right)", @"$\pi r^2$", @"\boxed{42}", @"a_{n+1} = 2a_n"];
    static readonly string[] Code =
        ["def f(x):\n    return x * 2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}\n", "import numpy as np\n", "if x != None and y >= 3:\n",
         "const y = arr.map(v => v + 1);\n", "    # comment: TODO\n", "SELECT * FROM t WHERE id = 7;\n", "{\"key\": [1, 2, 3]}\n"];
    static readonly string[] Emoji = ["😀", "👍🏽", "🧑‍🎓", "🎉", "🚀", "❤️", "🐍", "✅"];
    static readonly string[] Markup = ["<|im_start|>user\n", "<|im_end|>\n", "<|vision_start|><|image_pad|><|vision_end|>", "<think>", "</think>", "<answer>", "</answer>"];

    public static int Run(string[] args)
    {
        string model = Path.Combine(FindRepoRoot(), "tests", "fixtures", "tokenizer");
        double targetMb = 5.5;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--model" && i + 1 < args.Length) model = args[++i];
            else if (args[i] == "--mb" && i + 1 < args.Length) targetMb = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            else { Console.Error.WriteLine($"unknown argument {args[i]}"); return 2; }
        }

        var load = Stopwatch.StartNew();
        var tokenizer = HfTokenizer.FromDirectory(model);
        load.Stop();
        var docs = Corpus(targetMb);
        long bytes = docs.Sum(d => (long)Encoding.UTF8.GetByteCount(d));
        var first = Stopwatch.StartNew();
        tokenizer.Encode("warm up");
        first.Stop();
        Console.WriteLine($"tokenizer load: {load.Elapsed.TotalMilliseconds:F0} ms, first encode (lazy BPE init): {first.Elapsed.TotalMilliseconds:F0} ms ({model})");
        Console.WriteLine($"corpus: {docs.Count} documents, {bytes / 1e6:F2} MB UTF-8, {Environment.ProcessorCount} logical cores");

        // Cold pass: the piece cache starts empty.
        Measure("single thread, cold cache", bytes, () => docs.Sum(d => (long)tokenizer.Encode(d).Length));
        Measure("single thread, warm cache", bytes, () => docs.Sum(d => (long)tokenizer.Encode(d).Length));
        var options = new BatchEncodeOptions { Padding = PaddingStrategy.None, Parallel = true };
        Measure($"batched EncodeBatch, parallel ({Environment.ProcessorCount} cores)", bytes, () => tokenizer.EncodeBatch(docs, options).InputIds.Sum(r => (long)r.Length));
        return 0;
    }

    static void Measure(string name, long bytes, Func<long> run)
    {
        var sw = Stopwatch.StartNew();
        long tokens = run();
        sw.Stop();
        double s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-45} {s,7:F2} s  {bytes / 1e6 / s,7:F2} MB/s  {tokens / s / 1e6,6:F3} M tokens/s  ({tokens} tokens)");
    }

    /// <summary>Documents of ~2 KB mixing the snippet kinds, from a fixed seed (same corpus on every run).</summary>
    static List<string> Corpus(double targetMb)
    {
        var rng = new Random(20240611);
        var docs = new List<string>();
        long total = 0;
        while (total < targetMb * 1e6)
        {
            var sb = new StringBuilder();
            while (sb.Length < 1500)
            {
                int kind = rng.Next(10);
                switch (kind)
                {
                    case < 4: AppendWords(sb, English, rng, " "); sb.Append(rng.Next(3) == 0 ? ".\n" : ". "); break;
                    case < 6: AppendWords(sb, Chinese, rng, ""); sb.Append("。"); break;
                    case 6: sb.Append(' ').Append(Latex[rng.Next(Latex.Length)]).Append(' '); break;
                    case 7: sb.Append(Code[rng.Next(Code.Length)]); break;
                    case 8: sb.Append(Emoji[rng.Next(Emoji.Length)]).Append(' '); break;
                    default: sb.Append(Markup[rng.Next(Markup.Length)]).Append(rng.Next(1000)); break;
                }
            }
            string doc = sb.ToString();
            docs.Add(doc);
            total += Encoding.UTF8.GetByteCount(doc);
        }
        return docs;
    }

    static void AppendWords(StringBuilder sb, string[] words, Random rng, string sep)
    {
        int n = 4 + rng.Next(12);
        for (int i = 0; i < n; i++) sb.Append(i == 0 ? "" : sep).Append(words[rng.Next(words.Length)]);
    }

    static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VisionGrpo.slnx"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}
