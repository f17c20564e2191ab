using System.CommandLine;
using Spectre.Console;
using TorchSharp;
using VisionGrpo.Tensors;
using VisionGrpo.Vision;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo preprocess-image</c>: runs images through the Qwen2-VL image processor and writes
/// <c>pixel_values</c> (F32) and <c>image_grid_thw</c> (I64) to a safetensors file, like
/// <c>processor.image_processor(images, return_tensors="pt")</c> with transformers' slow (PIL) processor.</summary>
internal static class PreprocessImageCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model")
        {
            Description = "Model directory holding preprocessor_config.json (or the file itself).",
            Required = true,
        };
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, GIF, BMP, WebP).", Arity = ArgumentArity.OneOrMore };
        var minPixels = new Option<long?>("--min-pixels") { Description = "Override min_pixels (lower bound on the resized area)." };
        var maxPixels = new Option<long?>("--max-pixels") { Description = "Override max_pixels (upper bound on the resized area; the main memory knob)." };
        var noResize = new Option<bool>("--no-resize") { Description = "do_resize=false: sides must already be multiples of 28." };
        var exif = new Option<bool>("--exif-transpose") { Description = "Apply the EXIF orientation like transformers' load_image (default: pixels as stored)." };
        var output = new Option<string>("--output", "-o") { Description = "Output .safetensors file.", Required = true };

        var command = new Command("preprocess-image", "Preprocess images exactly like transformers' Qwen2VLImageProcessor (PIL mode) into pixel_values + image_grid_thw.")
        {
            model, images, minPixels, maxPixels, noResize, exif, output,
        };
        command.SetAction(parse =>
        {
            var config = ImageProcessorConfig.Load(parse.GetValue(model)!);
            if (parse.GetValue(minPixels) is long min) config = config with { MinPixels = min };
            if (parse.GetValue(maxPixels) is long max) config = config with { MaxPixels = max };
            if (parse.GetValue(noResize)) config = config with { DoResize = false };
            config.Validate("--min-pixels/--max-pixels");
            return Run(config, parse.GetValue(images)!, parse.GetValue(exif), parse.GetValue(output)!);
        });
        return command;
    }

    static int Run(ImageProcessorConfig config, string[] paths, bool exifTranspose, string outputPath)
    {
        var decode = new ImageDecodeOptions
        {
            ExifTranspose = exifTranspose,
            Warning = message => AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}"),
        };
        var decoded = paths.AsParallel().AsOrdered().Select(p => ImageDecoder.DecodeFile(p, decode)).ToArray();
        var processed = new QwenImageProcessor(config).Process(decoded);

        for (int i = 0; i < paths.Length; i++)
        {
            var (h, w) = processed.ResizedSizes[i];
            var grid = processed.Grids[i];
            AnsiConsole.MarkupLine(Markup.Escape(
                $"{paths[i]}: {decoded[i].Width}x{decoded[i].Height} -> {w}x{h} (width x height), image_grid_thw {grid}, " +
                $"{grid.Patches} patches, {grid.Patches / (config.MergeSize * config.MergeSize)} tokens"));
        }

        if (Path.GetDirectoryName(Path.GetFullPath(outputPath)) is { } dir) Directory.CreateDirectory(dir);
        TorchRuntime.EnsureInitialized();
        using (var scope = torch.NewDisposeScope())
        {
            SafetensorsWriter.Save(outputPath,
            [
                new("pixel_values", processed.PixelValuesTensor()),
                new("image_grid_thw", processed.ImageGridThwTensor()),
            ]);
        }
        AnsiConsole.MarkupLine(Markup.Escape($"wrote {outputPath}: pixel_values [{processed.NumPatches}, {processed.PatchDim}] F32, image_grid_thw [{paths.Length}, 3] I64"));
        return 0;
    }
}
