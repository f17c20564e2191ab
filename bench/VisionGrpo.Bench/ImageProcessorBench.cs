using System.Diagnostics;
using SkiaSharp;
using VisionGrpo.Vision;

namespace VisionGrpo.Bench;

/// <summary>Images/s through decode + the full Qwen2-VL image processor (smart_resize at the Qwen2.5-VL defaults,
/// Pillow bicubic, normalise, patchify) for a 640×480 and an 1800×1200 JPEG, on 1 thread and on all cores.</summary>
internal static class ImageProcessorBench
{
    public static int Run()
    {
        var processor = new QwenImageProcessor(new ImageProcessorConfig { MinPixels = 3136, MaxPixels = 12845056 });
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine("| image | resized | threads | images/s | ms/image |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var name in new[] { "typical_640x480.png", "large_1800x1200.png" })
        {
            byte[] jpeg = ToJpeg(Path.Combine(FixtureDir(), name));
            var decoded = ImageDecoder.Decode(jpeg, name);
            var (h, w) = processor.TargetSize(decoded.Height, decoded.Width);
            foreach (int threads in new[] { 1, Environment.ProcessorCount })
            {
                double rate = Measure(processor, jpeg, threads);
                Console.WriteLine($"| {decoded.Width}x{decoded.Height} JPEG | {w}x{h} | {threads} | {rate:F1} | {1000 * threads / rate:F1} |");
            }
            Stages(processor, jpeg);
        }
        return 0;
    }

    // Each worker decodes and processes whole images; all cores = one image per core at a time (parallel over images).
    static double Measure(QwenImageProcessor processor, byte[] jpeg, int threads)
    {
        void One() => processor.Process([ImageDecoder.Decode(jpeg, "bench.jpg")], maxDegreeOfParallelism: 1);
        for (int i = 0; i < 3; i++) One(); // warm-up: JIT, first-touch memory
        int images = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 5)
        {
            Parallel.For(0, threads * 4, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => One());
            images += threads * 4;
        }
        return images / sw.Elapsed.TotalSeconds;
    }

    // Single-thread time per stage (median of 15), to see where the time goes.
    static void Stages(QwenImageProcessor processor, byte[] jpeg)
    {
        double Median(Action action)
        {
            var times = new double[15];
            for (int i = 0; i < times.Length; i++)
            {
                var sw = Stopwatch.StartNew();
                action();
                times[i] = sw.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            return times[times.Length / 2];
        }
        var image = ImageDecoder.Decode(jpeg, "bench.jpg");
        var resized = processor.Resize(image);
        double decode = Median(() => ImageDecoder.Decode(jpeg, "bench.jpg"));
        double resize = Median(() => processor.Resize(image));
        double total = Median(() => processor.Process([resized], 1)); // same size: copy + normalise + patchify
        Console.WriteLine($"  stages (1 thread, median ms): decode {decode:F1}, resize {resize:F1}, normalise+patchify {total:F1}");
    }

    static byte[] ToJpeg(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    static string FixtureDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "fixtures", "image_processor", "images");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/fixtures/image_processor/images not found above " + AppContext.BaseDirectory);
    }
}
