using System.Text.Json.Nodes;
using TorchSharp;
using VisionGrpo.Training.Config;
using VisionGrpo.Training.Loss;
using static TorchSharp.torch;

namespace VisionGrpo.Parity.Grpo;

/// <summary>
/// Computes the <c>outputs</c> of a <c>kind: "loss"</c> fixture record in float64. The loss input is the record's
/// <c>per_token_logps</c> when it carries one (<c>inputs</c> or <c>outputs</c>), otherwise they are computed from
/// <c>inputs.logits</c>; gradients are taken by autograd w.r.t. that tensor (and chained back to the logits).
/// </summary>
internal static class LossRecord
{
    public static JsonObject Compute(JsonObject record, JsonObject inputs, GrpoAlgorithmOptions options, List<string> warnings)
    {
        using var scope = torch.NewDisposeScope();
        var (maskData, maskShape) = RecordJson.Matrix(inputs["completion_mask"], "inputs.completion_mask");
        long b = maskShape[0], c = maskShape[1];
        var mask = torch.tensor(maskData, maskShape, ScalarType.Float64);
        var advantages = torch.tensor(RecordJson.Doubles(inputs["advantages"], "inputs.advantages"), ScalarType.Float64);

        Tensor? logits = null, completionIds = null;
        if (inputs["logits"] is { } logitsNode)
        {
            var (data, shape) = RecordJson.Cube(logitsNode, "inputs.logits");
            logits = torch.tensor(data, shape, ScalarType.Float64);
            var (ids, idShape) = RecordJson.Matrix(inputs["completion_ids"], "inputs.completion_ids");
            completionIds = torch.tensor(ids.Select(x => (long)x).ToArray(), idShape, ScalarType.Int64);
        }
        var outputsIn = record["outputs"] as JsonObject;
        var given = inputs["per_token_logps"] ?? outputsIn?["per_token_logps"];
        Tensor logps;
        if (given is not null) logps = Matrix(given, "per_token_logps", b, c);
        else if (logits is not null) logps = TokenLogProbs.PerTokenLogps(logits, completionIds!, options.Temperature).detach();
        else throw new FormatException("the record has neither per_token_logps nor inputs.logits.");
        Tensor? entropies = logits is not null
            ? TokenLogProbs.Entropies(logits, c, options.Temperature)
            : (inputs["entropies"] ?? outputsIn?["entropies"]) is { } e ? Matrix(e, "entropies", b, c) : null;

        var leaf = logps.detach().requires_grad_(true);
        using var result = GrpoLoss.Compute(new GrpoLossInputs
        {
            PerTokenLogps = leaf,
            OldPerTokenLogps = inputs["old_per_token_logps"] is { } o ? Matrix(o, "inputs.old_per_token_logps", b, c) : null,
            RefPerTokenLogps = inputs["ref_per_token_logps"] is { } r ? Matrix(r, "inputs.ref_per_token_logps", b, c) : null,
            Advantages = advantages,
            CompletionMask = mask,
            Entropies = entropies,
            NumItemsInBatch = RecordJson.ToNullableDouble(inputs["num_items_in_batch"], "inputs.num_items_in_batch"),
            ImportanceSamplingRatio = inputs["importance_sampling_ratio"] is { } s ? Matrix(s, "inputs.importance_sampling_ratio", b, c) : null,
            SamplingPerTokenLogps = inputs["sampling_per_token_logps"] is { } sp ? Matrix(sp, "inputs.sampling_per_token_logps", b, c) : null,
        }, options);

        // The fixture's gradient is d(compute_loss's value)/d(per_token_logps): scale the back-propagated loss up by
        // the divisor the HF Trainer would still apply (0.20 under gradient accumulation).
        (result.Loss * result.TrainerLossDivisor).backward();
        var grad = leaf.grad ?? torch.zeros_like(leaf);

        var outputs = new JsonObject
        {
            ["loss"] = RecordJson.Number(result.ComputeLossValue),
            ["loss_dtype"] = "float64",
            ["per_token_logps"] = RecordJson.NumberRows(logps.data<double>().ToArray(), c),
        };
        if (entropies is not null) outputs["entropies"] = RecordJson.NumberRows(entropies.data<double>().ToArray(), c);
        outputs["grad_per_token_logps"] = RecordJson.NumberRows(grad.data<double>().ToArray(), c);
        if (logits is not null)
        {
            var logitsLeaf = logits.detach().requires_grad_(true);
            var recomputed = TokenLogProbs.PerTokenLogps(logitsLeaf, completionIds!, options.Temperature);
            torch.autograd.backward(new[] { recomputed }, new[] { grad.detach() });
            var g = logitsLeaf.grad!;
            outputs["grad_logits"] = new JsonArray(Enumerable.Range(0, (int)g.shape[0])
                .Select(i => (JsonNode?)RecordJson.NumberRows(g[i].data<double>().ToArray(), g.shape[2])).ToArray());
        }
        outputs["metrics"] = RecordJson.Metrics(result.Metrics);
        outputs["trainer_loss_divisor"] = result.TrainerLossDivisor;
        outputs["effective_hp"] = HyperparameterReader.Effective(options, (int)b, 1);
        return outputs;
    }

    static Tensor Matrix(JsonNode node, string path, long b, long c)
    {
        var (data, shape) = RecordJson.Matrix(node, path);
        if (shape[0] != b || shape[1] != c)
            throw new FormatException($"{path} is [{shape[0]}, {shape[1]}] but completion_mask is [{b}, {c}].");
        return torch.tensor(data, shape, ScalarType.Float64);
    }
}
