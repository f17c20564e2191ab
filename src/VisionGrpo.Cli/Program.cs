using System.CommandLine;
using VisionGrpo.Cli;
using VisionGrpo.Cli.Commands;

// glibc reads GLIBC_TUNABLES only at process start: without hugetlb-backed malloc, fresh tensor memory is
// 10-50x slower on these machines (docs/torchsharp.md), so re-execute once in place (same PID) with it set.
NativeAllocator.ReexecWithTunablesIfNeeded(args);
try
{
    // Under mpirun/srun: join the MPI job now, so every rank is in it before any command can fail.
    if (DistributedJob.Start().Size > 1) CliRunner.ErrorPrefix = $"rank {DistributedJob.Communicator.Rank}: ";
}
catch (VisionGrpo.Distributed.MpiException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
using var signals = TerminationSignals.Install();

var root = CliRunner.CreateRoot("visiongrpo: GRPO post-training of vision-language models on TorchSharp.");
root.Options.Add(CliOptions.Verbose);
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

int exitCode = CliRunner.Run(root, args, signals: signals);
return DistributedJob.Finish(exitCode, stoppedBySignal: signals.ExitCode is not null || CliRunner.StoppedOnRequest);
