using System.Text;
using Jarvis.Crdt;
using Microsoft.Extensions.Time.Testing;

namespace Jarvis.Crdt.Tests.Laws;

/// <summary>
/// Runs a script of integers as a replicated history: each number mutates a replica, delivers an
/// earlier delta (possibly again, possibly late) to a replica, or joins one replica's whole state into
/// another. Every delta ever produced is kept, so laws can redeliver them in any order.
/// </summary>
public sealed class History<T> where T : class, ICrdt<T>
{
    private readonly CrdtSpec<T> _spec;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero));
    private readonly StringBuilder _log = new();

    public History(CrdtSpec<T> spec, IReadOnlyList<int> script)
    {
        _spec = spec;
        Ids = Enumerable.Range(1, spec.ReplicaCount).Select(i => new ReplicaId((ulong)(i * 0x1000 + i))).ToArray();
        Clocks = Ids.Select(_ => new HybridLogicalClock(_time)).ToArray();
        States = Ids.Select(_ => T.CreateEmpty()).ToArray();
        foreach (var step in script)
        {
            Run(step);
        }
    }

    public ReplicaId[] Ids { get; }

    public HybridLogicalClock[] Clocks { get; }

    public T[] States { get; }

    public List<(int Origin, T Delta)> Deltas { get; } = [];

    public string Log => _log.ToString();

    /// <summary>Applies the operation picked by <paramref name="choice"/> at a replica, recording its delta.</summary>
    public T Mutate(int replica, int choice)
    {
        var op = _spec.Operation(choice);
        var delta = op.Apply(States[replica], new OpContext(Ids[replica], Ids, Clocks[replica]));
        Deltas.Add((replica, delta));
        _log.Append($"r{replica}.{op}; ");
        return delta;
    }

    private void Run(int step)
    {
        var value = Math.Abs(step);
        var kind = value % 10;
        var replica = value / 10 % Ids.Length;
        var rest = value / 10 / Ids.Length;
        _time.Advance(TimeSpan.FromMilliseconds(value % 3));
        if (kind <= 5 || Deltas.Count == 0)
        {
            Mutate(replica, rest);
        }
        else if (kind <= 7)
        {
            var index = rest % Deltas.Count;
            States[replica].Join(Deltas[index].Delta);
            _log.Append($"r{replica}<-d{index}; ");
        }
        else
        {
            var from = (replica + 1 + (rest % (Ids.Length - 1))) % Ids.Length;
            States[replica].Join(States[from].Clone());
            _log.Append($"r{replica}<-state(r{from}); ");
        }
    }
}
