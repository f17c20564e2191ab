using System.Numerics;

namespace VisionGrpo.Vision;

/// <summary>Pillow-exact <c>Image.resize</c> for 8-bit RGB: a separable, implicitly antialiased
/// convolution with 22-bit fixed-point weights, the horizontal pass first into an intermediate uint8 image, then the
/// vertical pass; a pass whose size does not change is skipped and a same-size resize returns a copy.</summary>
internal static class PillowResize
{
    const int Half = 1 << (ResampleCoefficients.PrecisionBits - 1);

    /// <summary>Resizes <paramref name="source"/> to <paramref name="width"/> × <paramref name="height"/>.</summary>
    /// <exception cref="ArgumentException">A target side is not positive.</exception>
    /// <exception cref="NotSupportedException"><paramref name="filter"/> is <see cref="PillowFilter.Nearest"/>.</exception>
    public static RgbImage Resize(RgbImage source, int width, int height, PillowFilter filter = PillowFilter.Bicubic)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (width <= 0 || height <= 0) throw new ArgumentException($"height and width must be > 0, got {width}x{height} (width x height)");
        if (width == source.Width && height == source.Height)
            return new RgbImage(width, height, (byte[])source.Pixels.Clone());

        var image = source;
        if (height != source.Height)
        {
            var vertical = ResampleCoefficients.Compute(source.Height, height, filter);
            // Like Pillow, run the horizontal pass only over the source rows the vertical pass will read.
            int firstRow = vertical.Start[0];
            int lastRow = vertical.Start[height - 1] + vertical.Count[height - 1];
            if (width != source.Width)
                image = Horizontal(source, width, firstRow, lastRow, ResampleCoefficients.Compute(source.Width, width, filter));
            else
                firstRow = 0;
            return Vertical(image, height, vertical, firstRow);
        }
        return Horizontal(source, width, 0, source.Height, ResampleCoefficients.Compute(source.Width, width, filter));
    }

    static unsafe RgbImage Horizontal(RgbImage src, int outWidth, int firstRow, int lastRow, ResampleCoefficients c)
    {
        int rows = lastRow - firstRow, inStride = src.Width * 3, outStride = outWidth * 3, kernelSize = c.KernelSize;
        var output = GC.AllocateUninitializedArray<byte>(rows * outStride);
        // Pointers: the tap loop is the hot path and bounds checks would double its cost; every index stays inside
        // the row because Start[x] + Count[x] ≤ source width by construction.
        fixed (byte* input = src.Pixels, outBase = output)
        fixed (int* weights = c.Weights, start = c.Start, count = c.Count)
        {
            for (int y = 0; y < rows; y++)
            {
                byte* inRow = input + (long)(y + firstRow) * inStride;
                byte* o = outBase + (long)y * outStride;
                for (int x = 0; x < outWidth; x++, o += 3)
                {
                    int r = Half, g = Half, b = Half;
                    byte* p = inRow + start[x] * 3;
                    int* k = weights + x * kernelSize;
                    for (int j = 0, n = count[x]; j < n; j++, p += 3)
                    {
                        int w = k[j];
                        r += p[0] * w;
                        g += p[1] * w;
                        b += p[2] * w;
                    }
                    o[0] = Clip8(r);
                    o[1] = Clip8(g);
                    o[2] = Clip8(b);
                }
            }
        }
        return new RgbImage(outWidth, rows, output);
    }

    // firstRow: source row that row 0 of `src` stands for (the horizontal pass may have skipped leading rows).
    static RgbImage Vertical(RgbImage src, int outHeight, ResampleCoefficients c, int firstRow)
    {
        int stride = src.Width * 3;
        var input = src.Pixels;
        var output = GC.AllocateUninitializedArray<byte>(outHeight * stride);
        var acc = new int[stride];
        int vec = Vector<byte>.Count;
        for (int y = 0; y < outHeight; y++)
        {
            acc.AsSpan().Fill(Half);
            int k = y * c.KernelSize, n = c.Count[y], row0 = c.Start[y] - firstRow;
            for (int j = 0; j < n; j++)
            {
                var w = new Vector<int>(c.Weights[k + j]);
                int w0 = c.Weights[k + j], rowStart = (row0 + j) * stride, i = 0;
                var srcRow = input.AsSpan(rowStart, stride);
                // Integer sums are order-independent, so accumulating a whole row per tap gives Pillow's values.
                for (; i <= stride - vec; i += vec)
                {
                    Vector.Widen(new Vector<byte>(srcRow.Slice(i)), out var lo16, out var hi16);
                    Vector.Widen(lo16, out var a, out var b);
                    Vector.Widen(hi16, out var cc, out var d);
                    int q = Vector<int>.Count;
                    var accSpan = acc.AsSpan(i);
                    (Vector.AsVectorInt32(a) * w + new Vector<int>(accSpan)).CopyTo(accSpan);
                    (Vector.AsVectorInt32(b) * w + new Vector<int>(accSpan.Slice(q))).CopyTo(accSpan.Slice(q));
                    (Vector.AsVectorInt32(cc) * w + new Vector<int>(accSpan.Slice(2 * q))).CopyTo(accSpan.Slice(2 * q));
                    (Vector.AsVectorInt32(d) * w + new Vector<int>(accSpan.Slice(3 * q))).CopyTo(accSpan.Slice(3 * q));
                }
                for (; i < stride; i++) acc[i] += srcRow[i] * w0;
            }
            var outRow = output.AsSpan(y * stride, stride);
            for (int i = 0; i < stride; i++) outRow[i] = Clip8(acc[i]);
        }
        return new RgbImage(src.Width, outHeight, output);
    }

    // Pillow's clip8: the arithmetic shift floors, negatives clip to 0, overflow to 255.
    static byte Clip8(int value) => (byte)Math.Clamp(value >> ResampleCoefficients.PrecisionBits, 0, 255);
}
