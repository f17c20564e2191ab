using System.Text.Json.Nodes;
using VisionGrpo.Training.Config;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// TRL's <c>_metrics[mode]</c>: values appended per generation / micro-step, averaged at each logging event and then
/// cleared. TRL 0.20 averages everything (a NaN poisons the key); 1.9 drops NaNs first and logs null when nothing
/// valid is left. <c>num_tokens</c> is replaced, not appended (it is a running total).
/// </summary>
internal sealed class GrpoMetricsBuffer
{
    readonly Dictionary<string, List<double>> _values = new();
    readonly List<string> _order = new();

    /// <summary>Appends one value of <paramref name="key"/>.</summary>
    public void Append(string key, double value)
    {
        if (!_values.TryGetValue(key, out var list))
        {
            _values[key] = list = new List<double>();
            _order.Add(key);
        }
        list.Add(value);
    }

    /// <summary>Appends every metric of a dictionary (e.g. <c>GrpoLossResult.Metrics</c>).</summary>
    public void AppendAll(IEnumerable<KeyValuePair<string, double>> metrics)
    {
        foreach (var (k, v) in metrics)
        {
            if (k == "num_tokens") Set(k, v);
            else Append(k, v);
        }
    }

    /// <summary>Replaces the values of <paramref name="key"/> by one value (TRL does this for <c>num_tokens</c>).</summary>
    public void Set(string key, double value)
    {
        if (!_values.ContainsKey(key)) _order.Add(key);
        _values[key] = new List<double> { value };
    }

    /// <summary>True when nothing was recorded since the last <see cref="Drain"/>.</summary>
    public bool IsEmpty => _order.Count == 0;

    /// <summary>
    /// Averages per key in first-seen order (eval keys get the <c>eval_</c> prefix) and clears the buffer.
    /// </summary>
    public List<KeyValuePair<string, object?>> Drain(TrlCompat compat, bool eval = false)
    {
        var result = new List<KeyValuePair<string, object?>>();
        foreach (string key in _order)
        {
            var values = _values[key];
            object? mean;
            if (compat == TrlCompat.V0_20) mean = Sum(values) / values.Count;
            else
            {
                var valid = values.Where(v => !double.IsNaN(v)).ToList();
                mean = valid.Count > 0 ? Sum(valid) / valid.Count : null;
            }
            result.Add(new(eval ? "eval_" + key : key, mean));
        }
        _values.Clear();
        _order.Clear();
        return result;
    }

    /// <summary>The buffered values (key order kept), so a checkpoint can carry metrics not yet logged.</summary>
    public JsonArray ToJson() => new(_order.Select(k => (JsonNode)new JsonObject
    {
        ["key"] = k,
        ["values"] = new JsonArray(_values[k].Select(v => (JsonNode)JsonValue.Create(double.IsNaN(v) ? "NaN" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))!).ToArray()),
    }).ToArray());

    /// <summary>Replaces the buffer's content by what <see cref="ToJson"/> wrote.</summary>
    public void Restore(JsonArray saved)
    {
        _values.Clear();
        _order.Clear();
        foreach (var item in saved)
        {
            string key = item!["key"]!.GetValue<string>();
            _order.Add(key);
            _values[key] = item["values"]!.AsArray()
                .Select(v => double.Parse(v!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        }
    }

    // Python's sum(): left to right.
    static double Sum(List<double> values)
    {
        double s = 0;
        foreach (double v in values) s += v;
        return s;
    }
}
