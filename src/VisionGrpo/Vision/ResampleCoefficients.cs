namespace VisionGrpo.Vision;

/// <summary>Per-axis fixed-point filter taps as Pillow's <c>precompute_coeffs</c> + <c>normalize_coeffs_8bpc</c>
/// build them: for output index i, <see cref="Count"/>[i] taps starting at source index <see cref="Start"/>[i],
/// weights in <see cref="Weights"/>[i·<see cref="KernelSize"/> ..].</summary>
internal sealed class ResampleCoefficients
{
    /// <summary>Fractional bits of the integer weights (32 − 8 − 2 in Pillow).</summary>
    public const int PrecisionBits = 22;

    ResampleCoefficients(int kernelSize, int[] start, int[] count, int[] weights)
    {
        KernelSize = kernelSize;
        Start = start;
        Count = count;
        Weights = weights;
    }

    public int KernelSize { get; }
    public int[] Start { get; }
    public int[] Count { get; }
    public int[] Weights { get; }

    public static ResampleCoefficients Compute(int inSize, int outSize, PillowFilter filter)
    {
        var (kernel, filterSupport) = Kernel(filter);
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0); // downscaling stretches the kernel: the implicit antialias
        double support = filterSupport * filterScale;
        int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * kernelSize];
        Span<double> k = stackalloc double[kernelSize];
        double ss = 1.0 / filterScale;
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            // (int) truncates toward zero exactly as Pillow's C cast does.
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double sum = 0;
            for (int x = 0; x < xmax; x++)
            {
                k[x] = kernel((x + xmin - center + 0.5) * ss);
                sum += k[x];
            }
            for (int x = 0; x < xmax; x++)
            {
                double w = sum != 0.0 ? k[x] / sum : k[x];
                // Round half away from zero through a truncating cast, like normalize_coeffs_8bpc.
                weights[i * kernelSize + x] = w < 0
                    ? (int)(-0.5 + w * (1 << PrecisionBits))
                    : (int)(0.5 + w * (1 << PrecisionBits));
            }
            start[i] = xmin;
            count[i] = xmax;
        }
        return new ResampleCoefficients(kernelSize, start, count, weights);
    }

    static (Func<double, double> Kernel, double Support) Kernel(PillowFilter filter) => filter switch
    {
        PillowFilter.Bicubic => (Bicubic, 2.0),
        PillowFilter.Bilinear => (x => Math.Abs(x) < 1.0 ? 1.0 - Math.Abs(x) : 0.0, 1.0),
        PillowFilter.Box => (x => x > -0.5 && x <= 0.5 ? 1.0 : 0.0, 0.5),
        PillowFilter.Hamming => (Hamming, 1.0),
        PillowFilter.Lanczos => (x => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0, 3.0),
        _ => throw new NotSupportedException($"resample filter {filter} ({(int)filter}) is not supported; use 1–5 (Pillow's convolution filters)"),
    };

    // Operation order kept from Pillow so that the double results (and thus the rounded weights) agree.
    static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    static double Hamming(double x)
    {
        if (x < 0.0) x = -x;
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        return Math.Sin(x) / x * (0.54 + 0.46 * Math.Cos(x));
    }

    static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }
}
