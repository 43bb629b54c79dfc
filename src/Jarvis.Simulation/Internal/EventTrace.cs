using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Jarvis.Replication.Protocol;

namespace Jarvis.Simulation.Internal;

/// <summary>
/// The latest events of a run in a ring buffer (formatted only when a failure is reported), an optional
/// verbose writer that sees every event, and a running hash of the whole event sequence that the
/// determinism test compares between two runs of one seed.
/// </summary>
internal sealed class EventTrace(int length, TextWriter? verbose)
{
    private readonly Entry[] _ring = new Entry[Math.Max(1, length)];
    private readonly XxHash3 _hash = new();
    private long _count;
    private long _kept;

    /// <summary>The number of events recorded.</summary>
    public long Count => _count;

    /// <summary>A hash of every event recorded, in order.</summary>
    public ulong SequenceHash => _hash.GetCurrentHashAsUInt64();

    public void Record(long time, TraceKind kind, int a, int b = -1, long x = 0, long y = 0, object? detail = null)
    {
        Span<byte> fields = stackalloc byte[40];
        BitConverter.TryWriteBytes(fields, time);
        BitConverter.TryWriteBytes(fields[8..], (int)kind);
        BitConverter.TryWriteBytes(fields[12..], a);
        BitConverter.TryWriteBytes(fields[16..], b);
        BitConverter.TryWriteBytes(fields[20..], x);
        BitConverter.TryWriteBytes(fields[28..], y);
        _hash.Append(fields);
        if (detail is string text)
        {
            _hash.Append(Encoding.UTF8.GetBytes(text));
        }
        var entry = new Entry(time, kind, a, b, x, y, detail);
        _count++;
        verbose?.WriteLine(entry.ToString());
        if (kind != TraceKind.Tick)
        {
            // Ticks are most events and say least; the failure report keeps the rest.
            _ring[_kept++ % _ring.Length] = entry;
        }
    }

    /// <summary>Adds bytes (a delivered message) to the sequence hash without a trace line of their own.</summary>
    public void HashBytes(ReadOnlySpan<byte> bytes) => _hash.Append(bytes);

    /// <summary>The latest events, oldest first, one per line.</summary>
    public string Latest()
    {
        var text = new StringBuilder();
        var first = Math.Max(0, _kept - _ring.Length);
        for (var i = first; i < _kept; i++)
        {
            text.AppendLine(_ring[i % _ring.Length].ToString());
        }
        return text.ToString();
    }

    /// <summary>The message kind of an encoded message (version byte, then the kind as a one-byte varint).</summary>
    public static MessageKind KindOf(ReadOnlySpan<byte> bytes) => bytes.Length > 1 ? (MessageKind)bytes[1] : 0;

    /// <summary>A message in a few words: its kind and the positions it carries.</summary>
    public static string Describe(Message message) => message switch
    {
        DeltaBatch d => $"DeltaBatch[{d.From},{d.To}) {Keys(d.Entries)}",
        Ack a => $"Ack {a.UpTo}",
        StateBatch s => $"StateBatch #{s.TransferId} snap {s.SnapshotSequence} {s.Index + 1}/{s.Count} {Keys(s.Entries)}",
        StatePart p => $"StatePart #{p.TransferId} snap {p.SnapshotSequence} {p.Index + 1}/{p.Count} {p.Key} part {p.PartIndex + 1}/{p.PartCount}",
        ReadRequest r => $"ReadRequest {r.ReadId} {r.Key}",
        ReadResponse r => $"ReadResponse {r.ReadId} {(r.State is null ? "(absent)" : r.State.Key)}",
        _ => message.Kind.ToString(),
    };

    private static string Keys(IReadOnlyList<WireObject> entries) => "{" + string.Join(",", entries.Select(e => e.Key)) + "}";

    private readonly record struct Entry(long Time, TraceKind Kind, int A, int B, long X, long Y, object? Detail)
    {
        private string Text => Detail is Message message ? Describe(message) : Detail?.ToString() ?? string.Empty;

        public override string ToString()
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"t={Time,6} ");
            return at + Kind switch
            {
                TraceKind.Tick => $"tick r{A}",
                TraceKind.Deliver => $"deliver r{B}->r{A} {Text} ({X} B)",
                TraceKind.DropLoss => $"lost r{A}->r{B} {(MessageKind)X} ({Y} B)",
                TraceKind.DropPartition => $"cut r{A}->r{B} {(MessageKind)X} ({Y} B)",
                TraceKind.DropDown => $"to-down r{A}->r{B} {(MessageKind)X} ({Y} B)",
                TraceKind.Duplicate => $"duplicated r{A}->r{B} {(MessageKind)X}",
                TraceKind.DiskDone => $"disk r{A} batch {X} done",
                TraceKind.DiskFailed => $"disk r{A} batch {X} FAILED ({Text}), {Y} later requests dropped",
                TraceKind.DiskDropped => $"disk r{A} lost {X} uncompleted requests",
                TraceKind.WriteCompleted => $"r{A} write {X} {Text}",
                TraceKind.ReadCompleted => $"r{A} read {X} {Text}",
                TraceKind.Script => $"r{A} {Text}",
                TraceKind.DriverFailure => $"r{A} THREW {Text}",
                _ => Kind.ToString(),
            };
        }
    }
}
