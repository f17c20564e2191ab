using System.Text.Json.Nodes;
using VisionGrpo.Training.Advantages;
using VisionGrpo.Training.Config;

namespace VisionGrpo.Parity.Grpo;

/// <summary>Computes the <c>outputs</c> of a <c>kind: "advantages"</c> fixture record.</summary>
internal static class AdvantageRecord
{
    const int DefaultEos = 1, DefaultPad = 0;

    public static JsonObject Compute(JsonObject inputs, GrpoAlgorithmOptions options, List<string> warnings)
    {
        var completionIds = RecordJson.IntRows(inputs["completion_ids"], "inputs.completion_ids");
        int n = completionIds.Length;
        int[] promptLengths = inputs["prompt_ids"] is { } p
            ? RecordJson.IntRows(p, "inputs.prompt_ids").Select(r => r.Length).ToArray()
            : new int[n];
        int eos = inputs["eos_token_id"] is { } e ? (int)RecordJson.ToDouble(e, "inputs.eos_token_id") : DefaultEos;
        int pad = inputs["pad_token_id"] is { } q ? (int)RecordJson.ToDouble(q, "inputs.pad_token_id") : DefaultPad;

        var funcs = RecordJson.Array(inputs["reward_funcs"], "inputs.reward_funcs");
        var names = new List<string>();
        var columns = new List<double?[]>();
        for (int f = 0; f < funcs.Count; f++)
        {
            string path = $"inputs.reward_funcs[{f}]";
            var func = funcs[f] as JsonObject ?? throw new FormatException($"{path}: expected an object.");
            names.Add(func["name"]?.GetValue<string>() ?? throw new FormatException($"{path}.name is missing."));
            var values = RecordJson.Array(func["values"], $"{path}.values");
            if (values.Count != n) throw new FormatException($"{path}.values has {values.Count} entries, expected {n} (one per completion).");
            columns.Add(values.Select((v, i) => RecordJson.ToNullableDouble(v, $"{path}.values[{i}]")).ToArray());
        }
        var rows = Enumerable.Range(0, n).Select(i => (IReadOnlyList<double?>)columns.Select(c => c[i]).ToArray()).ToList();

        var batch = CompletionBatch.Build(promptLengths, completionIds, eos, pad, options.Compat, options.MaskTruncatedCompletions);
        var adv = GroupAdvantages.Compute(rows, names, options);
        warnings.AddRange(adv.Warnings);

        var metrics = new Dictionary<string, double> { ["num_tokens"] = batch.NumTokens };
        foreach (var (k, v) in batch.Metrics) metrics[k] = v;
        foreach (var (k, v) in adv.Metrics) metrics[k] = v;

        var logged = new JsonObject();
        for (int f = 0; f < names.Count; f++)
            logged[names[f]] = RecordJson.Numbers(columns[f].Select(v => v is { } x ? (double)(float)x : double.NaN));
        var advantages = RecordJson.Numbers(adv.Advantages.Select(x => (double)x));
        var locals = new JsonObject { ["rewards"] = RecordJson.Numbers(adv.Rewards.Select(x => (double)x)) };
        if (adv.GroupMeans is { } means) locals["mean_grouped_rewards"] = RecordJson.Numbers(means.Select(x => (double)x));
        bool v19 = options.Compat == TrlCompat.V1_9 || adv.UnscorableRows.Count > 0;
        locals[v19 ? "std_rewards" : "std_grouped_rewards"] = RecordJson.Numbers(adv.Std.Select(x => (double)x));
        locals["is_std_zero"] = new JsonArray(adv.IsStdZero.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());

        var outputs = new JsonObject
        {
            ["advantages"] = advantages,
            ["advantages_dtype"] = "float32",
            ["completion_mask"] = RecordJson.IntMatrix(batch.Mask),
            ["metrics"] = RecordJson.Metrics(metrics),
            ["logged_rewards"] = logged,
            ["logged_advantages"] = advantages.DeepClone(),
            ["effective_hp"] = HyperparameterReader.Effective(options, n, names.Count),
            ["trl_locals"] = locals,
        };
        if (options.Compat == TrlCompat.V1_9) outputs["num_items_in_batch"] = batch.NumItemsInBatch;
        return outputs;
    }
}
