using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VisionGrpo.Rewards;

/// <summary>
/// A reward computed by a user program (e.g. an existing Python reward): the command is started once and receives one
/// JSON line per batch on stdin, <c>{"prompts": [...], "completions": [...], "columns": {"solution": [...], ...}}</c>,
/// and must answer one JSON line on stdout, <c>{"rewards": [1.0, null, ...]}</c> (or a bare array). A crash, a
/// timeout or a malformed answer raises <see cref="RewardProcessException"/> naming the command — never a silent zero.
/// </summary>
public sealed class ExternalProcessReward : IRewardFunction, IDisposable
{
    readonly object _lock = new();
    readonly TimeSpan _timeout;
    readonly Queue<string> _stderrTail = new();
    Process? _process;

    /// <summary>Creates the reward; the process starts on the first batch.</summary>
    /// <param name="command">Shell command line (run with <c>/bin/sh -c</c>, or <c>cmd /c</c> on Windows).</param>
    /// <param name="name">Metric name (default: <c>external_reward</c>).</param>
    /// <param name="weight">Weight in the reward sum.</param>
    /// <param name="timeout">Time allowed per batch answer (default 120 s).</param>
    public ExternalProcessReward(string command, string? name = null, float weight = 1f, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        Command = command;
        Name = name ?? "external_reward";
        Weight = weight;
        _timeout = timeout ?? TimeSpan.FromSeconds(120);
    }

    /// <summary>The command line.</summary>
    public string Command { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public float Weight { get; }

    /// <inheritdoc />
    public float?[] Score(RewardBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var request = new JsonObject
        {
            ["prompts"] = new JsonArray(batch.Prompts.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["completions"] = new JsonArray(batch.Completions.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["columns"] = new JsonObject(batch.Columns.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value.Select(ToJson).ToArray())))),
        };
        string line = request.ToJsonString();
        lock (_lock)
        {
            var process = EnsureStarted();
            try
            {
                process.StandardInput.WriteLine(line);
                process.StandardInput.Flush();
            }
            catch (IOException ex) { throw Failure("could not be written to (did it exit?)", ex); }
            var read = process.StandardOutput.ReadLineAsync(cancellationToken).AsTask();
            if (!read.Wait(_timeout, CancellationToken.None))
            {
                Kill();
                throw Failure($"did not answer within {_timeout.TotalSeconds:0.#} s");
            }
            string? answer = read.Result;
            if (answer == null)
            {
                process.WaitForExit(1000);
                string code = process.HasExited ? $"exited with code {process.ExitCode}" : "closed its stdout";
                _process = null;
                throw Failure(code);
            }
            return ParseAnswer(answer, batch.Count);
        }
    }

    static JsonNode? ToJson(object? v) => v switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        _ => JsonValue.Create(v.ToString()),
    };

    float?[] ParseAnswer(string answer, int count)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(answer); }
        catch (JsonException ex) { throw Failure($"answered a line that is not JSON: {Shorten(answer)}", ex); }
        var arr = node is JsonObject o ? o["rewards"] as JsonArray : node as JsonArray;
        if (arr == null) throw Failure($"answered without a \"rewards\" array: {Shorten(answer)}");
        if (arr.Count != count) throw Failure($"answered {arr.Count} rewards for {count} completions");
        var result = new float?[count];
        for (int i = 0; i < count; i++)
        {
            if (arr[i] is null) continue;
            if (arr[i] is JsonValue v && v.TryGetValue<double>(out var d)) result[i] = (float)d;
            else throw Failure($"answered a non-numeric reward at index {i}: {arr[i]!.ToJsonString()}");
        }
        return result;
    }

    Process EnsureStarted()
    {
        if (_process is { HasExited: false }) return _process;
        if (_process is { HasExited: true } dead)
        {
            int code = dead.ExitCode;
            _process = null;
            throw Failure($"exited with code {code}");
        }
        bool windows = OperatingSystem.IsWindows();
        var psi = new ProcessStartInfo(windows ? "cmd.exe" : "/bin/sh")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(windows ? "/c" : "-c");
        psi.ArgumentList.Add(Command);
        try { _process = Process.Start(psi) ?? throw Failure("could not be started"); }
        catch (System.ComponentModel.Win32Exception ex) { throw Failure("could not be started", ex); }
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (_stderrTail) { _stderrTail.Enqueue(e.Data); while (_stderrTail.Count > 5) _stderrTail.Dequeue(); }
        };
        _process.BeginErrorReadLine();
        return _process;
    }

    RewardProcessException Failure(string what, Exception? inner = null)
    {
        string tail;
        lock (_stderrTail) tail = string.Join(" | ", _stderrTail);
        return new RewardProcessException($"reward command '{Command}' {what}" + (tail.Length > 0 ? $"; stderr: {tail}" : ""), inner);
    }

    static string Shorten(string s) => s.Length > 200 ? s[..200] + "…" : s;

    void Kill()
    {
        try { _process?.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process = null;
    }

    /// <summary>Closes stdin and stops the process.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_process == null) return;
            try { _process.StandardInput.Close(); } catch (IOException) { }
            if (!_process.WaitForExit(2000)) Kill();
            _process?.Dispose();
            _process = null;
        }
    }
}
