// Three replicas of one shared state edit concurrently while "disconnected", then exchange their
// deltas in a shuffled order with duplicates, and end up identical. Exit code 0 only if they converge.
using System.Diagnostics;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

var seed = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 2026;
var random = new Random(seed);
var clock = new HybridLogicalClock(TimeProvider.System);
var names = new[] { "laptop", "server", "pod-0" };
var replicas = names.Select(name => new Replica(name, ReplicaId.FromName(name))).ToArray();

Console.WriteLine($"Jarvis — three replicas edit offline, then sync (seed {seed})");
Console.WriteLine();

// Offline edits: every replica changes the same objects.
foreach (var r in replicas)
{
    for (var i = 0; i < 5; i++)
    {
        r.Outbox.Add(r.Tags.Update($"agent-{i % 3}", set => set.Add(r.Id, $"{r.Name}-skill-{i}")));
        r.Outbox.Add(r.Tasks.Increment(r.Id, (ulong)(i + 1)));
    }
    r.Outbox.Add(r.Status.Set(r.Id, clock, $"{r.Name} was here last"));
}
// A remove concurrent with adds elsewhere: add wins for the adds the remover had not seen.
replicas[0].Outbox.Add(replicas[0].Tags.Update("agent-0", set => set.Remove("laptop-skill-0")));

foreach (var r in replicas)
{
    Console.WriteLine($"  {r.Name,-7} before sync: tasks={r.Tasks.Value,3}  tags={Describe(r.Tags)}");
}

// Deliver every delta to every other replica: shuffled, some twice.
var stopwatch = Stopwatch.StartNew();
var deliveries = new List<(Replica To, Delta Delta)>();
foreach (var from in replicas)
{
    foreach (var to in replicas.Where(r => r != from))
    {
        foreach (var delta in from.Outbox)
        {
            // Deltas travel as bytes, as they would on the wire.
            deliveries.Add((to, delta.RoundTrip()));
            if (random.Next(4) == 0)
            {
                deliveries.Add((to, delta.RoundTrip()));
            }
        }
    }
}
random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deliveries));
foreach (var (to, delta) in deliveries)
{
    delta.ApplyTo(to);
}
stopwatch.Stop();

Console.WriteLine();
Console.WriteLine($"  delivered {deliveries.Count} deltas in random order with duplicates in {stopwatch.Elapsed.TotalMilliseconds:F1} ms");
Console.WriteLine();
foreach (var r in replicas)
{
    Console.WriteLine($"  {r.Name,-7} after sync:  tasks={r.Tasks.Value,3}  tags={Describe(r.Tags)}  status=\"{r.Status.Value}\"");
}

var digests = replicas.Select(r => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(r.Snapshot()))[..16]).ToArray();
var converged = digests.Distinct().Count() == 1;
Console.WriteLine();
Console.WriteLine(converged
    ? $"  converged: all three replicas hold identical state (digest {digests[0]})"
    : $"  DIVERGED: digests {string.Join(", ", digests)}");
return converged ? 0 : 1;

static string Describe(ORMap<string, ORSet<string>> tags)
    => string.Join(" ", tags.Keys.Order(StringComparer.Ordinal).Select(k => { tags.TryGetValue(k, out var set); return $"{k}:{set!.Count}"; }));

sealed class Replica(string name, ReplicaId id)
{
    public string Name { get; } = name;
    public ReplicaId Id { get; } = id;
    public ORMap<string, ORSet<string>> Tags { get; } = new();
    public GCounter Tasks { get; } = new();
    public LWWRegister<string> Status { get; } = new();
    public List<Delta> Outbox { get; } = [];

    public byte[] Snapshot() => [.. Tags.ToBytes(), .. Tasks.ToBytes(), .. Status.ToBytes()];
}

abstract record Delta
{
    public static implicit operator Delta(ORMap<string, ORSet<string>> d) => new TagsDelta(d);
    public static implicit operator Delta(GCounter d) => new TasksDelta(d);
    public static implicit operator Delta(LWWRegister<string> d) => new StatusDelta(d);

    public abstract Delta RoundTrip();

    public abstract void ApplyTo(Replica replica);
}

sealed record TagsDelta(ORMap<string, ORSet<string>> Value) : Delta
{
    public override Delta RoundTrip() => new TagsDelta(CrdtEncoding.Decode<ORMap<string, ORSet<string>>>(Value.ToBytes()));

    public override void ApplyTo(Replica replica) => replica.Tags.Join(Value);
}

sealed record TasksDelta(GCounter Value) : Delta
{
    public override Delta RoundTrip() => new TasksDelta(CrdtEncoding.Decode<GCounter>(Value.ToBytes()));

    public override void ApplyTo(Replica replica) => replica.Tasks.Join(Value);
}

sealed record StatusDelta(LWWRegister<string> Value) : Delta
{
    public override Delta RoundTrip() => new StatusDelta(CrdtEncoding.Decode<LWWRegister<string>>(Value.ToBytes()));

    public override void ApplyTo(Replica replica) => replica.Status.Join(Value);
}
