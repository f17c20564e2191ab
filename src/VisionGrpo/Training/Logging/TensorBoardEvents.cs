using System.Text;

namespace VisionGrpo.Training.Logging;

/// <summary>
/// Serialized <c>tensorboard.Event</c> messages as torch's / tensorboardX's writers produce them (field numbers from
/// tensorboard/compat/proto: Event 1 wall_time, 2 step, 3 file_version, 5 summary, 10 source_metadata).
/// </summary>
internal static class TensorBoardEvents
{
    public const string FileVersion = "brain.Event:2";

    /// <summary>First record of every file; torch adds <c>source_metadata.writer</c>, tensorboardX does not.</summary>
    public static byte[] FileVersionEvent(double wallTime, string? sourceWriter)
    {
        var e = new ProtoWriter().OptionalDouble(1, wallTime).String(3, FileVersion);
        if (sourceWriter is not null) e.Message(10, new ProtoWriter().String(1, sourceWriter));
        return e.ToArray();
    }

    /// <summary>Legacy scalar (<c>add_scalar</c>, new_style=False): <c>Summary.Value{tag, simple_value}</c>, value as float32.</summary>
    public static byte[] ScalarEvent(string tag, float value, long step, double wallTime) =>
        SummaryEvent(wallTime, step, new ProtoWriter().String(1, tag).Float(2, value));

    /// <summary><c>add_text</c>: a DT_STRING tensor of shape [1] under tag <c>&lt;tag&gt;/text_summary</c>, plugin "text".</summary>
    public static byte[] TextEvent(string tag, string text, long step, double wallTime)
    {
        var tensor = new ProtoWriter()
            .OptionalInt64(1, 7) // DT_STRING
            .Message(2, new ProtoWriter().Message(2, new ProtoWriter().OptionalInt64(1, 1)))
            .Bytes(8, Encoding.UTF8.GetBytes(text));
        var metadata = new ProtoWriter().Message(1, new ProtoWriter().String(1, "text"));
        return SummaryEvent(wallTime, step, new ProtoWriter().String(1, tag + "/text_summary").Message(8, tensor).Message(9, metadata));
    }

    static byte[] SummaryEvent(double wallTime, long step, ProtoWriter value) =>
        new ProtoWriter().OptionalDouble(1, wallTime).OptionalInt64(2, step)
            .Message(5, new ProtoWriter().Message(1, value)).ToArray();
}
