using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;
using TorchSharp;
using VisionGrpo.Data.Hub;
using VisionGrpo.Tensors;

namespace VisionGrpo.Cli.Commands;

/// <summary><c>visiongrpo env</c>: versions, devices, threads, bf16 support and the HF cache directory.</summary>
internal static class EnvCommand
{
    public static Command Create()
    {
        var command = new Command("env", "Print VisionGrpo, .NET and libtorch versions, devices, threads, bf16 support and the HF cache.");
        command.SetAction(_ => Run());
        return command;
    }

    static int Run()
    {
        TorchRuntime.EnsureInitialized();
        var table = new Table().HideHeaders().AddColumn("key").AddColumn("value");
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));

        Row("VisionGrpo", typeof(TorchRuntime).Assembly.GetName().Version?.ToString(3) ?? "unknown");
        Row(".NET", RuntimeInformation.FrameworkDescription);
        Row("OS", RuntimeInformation.OSDescription);
        Row("TorchSharp", TorchRuntime.TorchSharpVersion);
        Row("libtorch", TorchRuntime.LibTorchVersion);
        Row("devices", string.Join(", ", DeviceSpec.Available().Select(d => d.ToString())));
        Row("threads", $"{torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op, {Environment.ProcessorCount} cores");
        Row("bf16", TorchRuntime.SupportsBFloat16(torch.CPU) ? "yes (cpu)" : "no (cpu)");
        Row("MKL AVX-512", TorchRuntime.MklAvx512);
        Row("GLIBC_TUNABLES", Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(unset)");
        Row("HF cache", HfCachePaths.HubCache());
        AnsiConsole.Write(table);
        return 0;
    }
}
