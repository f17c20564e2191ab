using System.CommandLine;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;

// glibc reads GLIBC_TUNABLES only at process start: without hugetlb-backed malloc, fresh tensor memory is
// 10-50x slower on these machines (docs/torchsharp.md), so re-execute once in place (same PID) with it set.
NativeAllocator.ReexecWithTunablesIfNeeded(args);
using var signals = TerminationSignals.Install();

var root = CliRunner.CreateRoot("visiongrpo: GRPO post-training of vision-language models on TorchSharp.");
root.Options.Add(CliOptions.Verbose);
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

return CliRunner.Run(root, args, signals: signals);
