using System.Runtime.ExceptionServices;

namespace VisionGrpo.Vision;

/// <summary>transformers' slow (PIL/numpy) <c>Qwen2VLImageProcessor</c>: smart_resize, Pillow BICUBIC, rescale and
/// normalise in float32, temporal duplication and patchify in merge-window order.</summary>
public sealed class QwenImageProcessor
{
    const int Channels = 3;
    readonly float[] _lut; // [channel·256 + u]: the whole rescale+normalise map, computed once with the reference ops

    /// <summary>Creates a processor for <paramref name="config"/> (validated here).</summary>
    /// <exception cref="InvalidDataException">The config is invalid.</exception>
    public QwenImageProcessor(ImageProcessorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _lut = BuildLookup(config);
    }

    /// <summary>The settings in use.</summary>
    public ImageProcessorConfig Config { get; }

    /// <summary>Values per patch row: 3·temporal_patch_size·patch_size².</summary>
    public int PatchDim => Channels * Config.TemporalPatchSize * Config.PatchSize * Config.PatchSize;

    /// <summary>The (height, width) an image of this size is resized to (unchanged when do_resize is off).</summary>
    /// <exception cref="ArgumentException">Aspect ratio above 200, or (without resize) sides that cannot be patchified.</exception>
    public (int Height, int Width) TargetSize(int height, int width)
    {
        var (h, w) = Config.DoResize
            ? SmartResize.Compute(height, width, Config.Factor, Config.MinPixels, Config.MaxPixels)
            : (height, width);
        if (h % Config.Factor != 0 || w % Config.Factor != 0)
            throw new ArgumentException($"cannot patchify a {w}x{h} image (width x height): both sides must be multiples of " +
                $"patch_size·merge_size = {Config.Factor} (turn on do_resize or resize the image first)");
        return (h, w);
    }

    /// <summary>Resizes <paramref name="image"/> to <see cref="TargetSize"/> (a copy when the size does not change).</summary>
    public RgbImage Resize(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (h, w) = TargetSize(image.Height, image.Width);
        return PillowResize.Resize(image, w, h, Config.Resample);
    }

    /// <summary>Processes one image.</summary>
    public ProcessedImages Process(RgbImage image) => Process([image]);

    /// <summary>Processes a batch: each image is sized independently, rows are concatenated in input order.
    /// Images are handled in parallel (at most <paramref name="maxDegreeOfParallelism"/>; −1 = all cores).</summary>
    /// <exception cref="ArgumentException">An image (named by index) cannot be processed.</exception>
    public ProcessedImages Process(IReadOnlyList<RgbImage> images, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("no images to process", nameof(images));
        int n = images.Count, patch = Config.PatchSize;
        var sizes = new (int Height, int Width)[n];
        var grids = new ImageGrid[n];
        var offsets = new long[n + 1];
        for (int i = 0; i < n; i++)
        {
            var img = images[i] ?? throw new ArgumentException($"image {i} is null", nameof(images));
            try { sizes[i] = TargetSize(img.Height, img.Width); }
            catch (ArgumentException e) { throw new ArgumentException($"image {i}: {e.Message}", e); }
            grids[i] = new ImageGrid(1, sizes[i].Height / patch, sizes[i].Width / patch);
            offsets[i + 1] = offsets[i] + (long)grids[i].Patches * PatchDim;
        }
        if (offsets[n] > Array.MaxLength)
            throw new ArgumentException($"the batch needs {offsets[n]} pixel values, more than one array holds; lower max_pixels or split the batch");

        var pixels = GC.AllocateUninitializedArray<float>((int)offsets[n]);
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        try
        {
            Parallel.For(0, n, options, i =>
            {
                var image = images[i];
                // Same size: Pillow would return an identical copy, so read the input directly.
                var resized = image.Width == sizes[i].Width && image.Height == sizes[i].Height
                    ? image
                    : PillowResize.Resize(image, sizes[i].Width, sizes[i].Height, Config.Resample);
                Patchify(resized, pixels.AsSpan((int)offsets[i], (int)(offsets[i + 1] - offsets[i])));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new ProcessedImages(pixels, PatchDim, grids, sizes);
    }

    // Writes the normalised, temporally duplicated patches of one resized image:
    // row = ((bh·Bw + bw)·M + mh)·M + mw, column = ((c·T + t)·P + py)·P + px.
    unsafe void Patchify(RgbImage image, Span<float> dst)
    {
        int p = Config.PatchSize, m = Config.MergeSize, t = Config.TemporalPatchSize, dim = PatchDim;
        int bh = image.Height / p / m, bw = image.Width / p / m, width = image.Width, plane = p * p;
        var src = image.Pixels;
        var lut = _lut;
        int row = 0;
        for (int by = 0; by < bh; by++)
        for (int bx = 0; bx < bw; bx++)
        for (int my = 0; my < m; my++)
        for (int mx = 0; mx < m; mx++, row++)
        {
            var rowDst = dst.Slice(row * dim, dim);
            int y0 = (by * m + my) * p, x0 = (bx * m + mx) * p;
            for (int c = 0; c < Channels; c++)
            {
                var first = rowDst.Slice(c * t * plane, plane);
                fixed (float* table = &lut[c * 256])
                fixed (byte* pixels = src)
                fixed (float* line0 = first)
                {
                    // A byte always indexes inside the 256-entry table; the pixel offsets stay in the resized image.
                    for (int py = 0; py < p; py++)
                    {
                        byte* s = pixels + ((long)(y0 + py) * width + x0) * Channels + c;
                        float* line = line0 + py * p;
                        for (int px = 0; px < p; px++, s += Channels) line[px] = table[*s];
                    }
                }
                // A still image is one frame repeated temporal_patch_size times.
                for (int tt = 1; tt < t; tt++) first.CopyTo(rowDst.Slice((c * t + tt) * plane, plane));
            }
        }
    }

    static float[] BuildLookup(ImageProcessorConfig config)
    {
        var lut = new float[Channels * 256];
        for (int c = 0; c < Channels; c++)
        {
            float mean = (float)config.ImageMean[c], std = (float)config.ImageStd[c];
            for (int u = 0; u < 256; u++)
            {
                // numpy: uint8 → float64 · rescale_factor → float32; then (v − mean32) / std32 in float32.
                float v = config.DoRescale ? (float)(u * config.RescaleFactor) : u;
                if (config.DoNormalize) v = (float)((float)(v - mean) / std);
                lut[c * 256 + u] = v;
            }
        }
        return lut;
    }
}
