using System.CommandLine;
using System.Diagnostics;
using System.Text;
using VisionGrpo.Distributed;

namespace VisionGrpo.Cli.Commands;

/// <summary>
/// <c>visiongrpo distributed check</c>: run under <c>mpirun -np N</c> (or <c>srun --mpi=pmix</c>) to see that the MPI
/// binding works on this installation: every collective training uses is run and its result verified on every rank.
/// <c>--fail-rank</c>/<c>--kill-rank</c> make one rank throw or die, to see that the launcher stops the whole job with
/// that rank's message instead of leaving the others waiting.
/// </summary>
internal static class DistributedCommand
{
    public static Command Create()
    {
        var command = new Command("distributed", "Multi-process (MPI) diagnostics.");
        var failRank = new Option<int?>("--fail-rank") { Description = "Make this rank throw after the checks (the job must stop with its message)." };
        var killRank = new Option<int?>("--kill-rank") { Description = "Make this rank kill itself (SIGKILL) after the checks (the job must stop, not hang)." };
        var check = new Command("check", "Verify allreduce, allgather, broadcast and barrier across the ranks of this MPI job (run it under mpirun -np N).");
        check.Options.Add(failRank);
        check.Options.Add(killRank);
        check.SetAction(parse =>
        {
            Run(DistributedJob.Communicator, parse.InvocationConfiguration.Output, parse.GetValue(failRank), parse.GetValue(killRank));
            return 0;
        });
        command.Subcommands.Add(check);
        return command;
    }

    /// <summary>Runs the checks; throws <see cref="MpiException"/> naming the first collective that gave a wrong result.</summary>
    public static void Run(ICommunicator comm, TextWriter output, int? failRank = null, int? killRank = null)
    {
        int n = comm.Size, rank = comm.Rank;
        var watch = Stopwatch.StartNew();
        void Expect(bool ok, string what)
        {
            if (!ok) throw new MpiException($"{what} gave a wrong result on rank {rank} of {n} ({comm.Description}).");
        }

        Span<double> d = [rank, 1.0, -rank];
        comm.AllReduceSum(d);
        Expect(d[0] == n * (n - 1) / 2.0 && d[1] == n && d[2] == -n * (n - 1) / 2.0, "AllReduce(sum, double)");
        var f = Enumerable.Range(0, 1000).Select(i => (float)(i + rank)).ToArray();
        comm.AllReduceSum(f);
        Expect(f.Select((v, i) => v == n * i + n * (n - 1) / 2f).All(x => x), "AllReduce(sum, float)");
        Span<long> l = [1L << 40, rank];
        comm.AllReduceSum(l);
        Expect(l[0] == n * (1L << 40) && l[1] == n * (n - 1L) / 2, "AllReduce(sum, int64)");
        Span<double> m = [rank];
        comm.AllReduceMax(m);
        Expect(m[0] == n - 1, "AllReduce(max, double)");
        // Ranks send different lengths: rank r sends r + 1 copies of its letter.
        var parts = comm.AllGather(Encoding.ASCII.GetBytes(new string((char)('a' + rank % 26), rank + 1)));
        Expect(parts.Length == n && parts.Select((p, r) => Encoding.ASCII.GetString(p) == new string((char)('a' + r % 26), r + 1)).All(x => x), "AllGatherV(bytes)");
        var buffer = new byte[16];
        if (rank == n - 1) buffer.AsSpan().Fill(42);
        comm.Broadcast(buffer, root: n - 1);
        Expect(buffer.All(b => b == 42), "Broadcast");
        comm.Barrier();

        if (comm.IsRoot)
            output.WriteLine($"MPI check passed: {n} rank(s), {comm.Description}; allreduce (float, double, int64, max), allgatherv, broadcast, barrier in {watch.Elapsed.TotalMilliseconds:F0} ms.");
        output.Flush();
        if (killRank == rank) Process.GetCurrentProcess().Kill();
        if (failRank == rank) throw new InvalidOperationException($"--fail-rank {rank}: this rank fails on purpose.");
        // Everyone else waits for the failing rank in a collective: only MPI_Abort (or the launcher) can end it.
        if (failRank is not null || killRank is not null) comm.Barrier();
    }
}
