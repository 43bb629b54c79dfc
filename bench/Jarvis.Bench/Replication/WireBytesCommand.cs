using System.Globalization;
using System.Text.Json;
using Jarvis.Replication;
using Jarvis.Replication.Protocol;
using Jarvis.Simulation;

namespace Jarvis.Bench.Replication;

/// <summary>
/// <c>wire [--json] [--sizes 1000,10000,100000] [--replicas 20] [--full-mesh]</c>: in a simulated cluster
/// that has converged on one large ORSet, the bytes on the wire for adding one element, per peer. Delta
/// synchronisation should make that independent of the set's size.
/// </summary>
internal sealed class WireBytesCommand : IBenchCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "wire";

    public string Summary => "bytes on the wire per peer for one add to a large, converged ORSet";

    public string Usage => "[--json] [--sizes 1000,10000,100000] [--replicas 20] [--full-mesh (every peer every round instead of the default options)]";

    public int Run(string[] args)
    {
        var json = false;
        int[] sizes = [1_000, 10_000, 100_000];
        var replicas = 20;
        var fullMesh = false;
        for (var i = 0; i < args.Length; i++)
        {
            var ok = args[i] switch
            {
                "--json" => json = true,
                "--full-mesh" => fullMesh = true,
                "--sizes" => CommandLine.TryReadList(args, ref i, 1, out sizes),
                "--replicas" => CommandLine.TryReadCount(args, ref i, 2, out replicas),
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"{Name}: bad option '{args[i]}'");
                Console.Error.WriteLine($"usage: {Name} {Usage}");
                return 2;
            }
        }

        if (!json)
        {
            Console.WriteLine("set size  replicas  topology          bytes/peer  messages carrying it  writer's bytes/peer  ack bytes/peer");
        }
        foreach (var size in sizes)
        {
            Console.Error.WriteLine($"converging {replicas} replicas on a {size}-element set...");
            var r = Measure(size, replicas, fullMesh);
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(r, JsonOptions));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.SetSize,8}  {r.Replicas,8}  {r.Topology,-16}  {r.BytesPerPeer,10:F1}  {r.MessagesCarrying,20}  {r.OriginBytesPerPeer,19:F1}  {r.AckBytesPerPeer,14:F1}"));
            }
        }
        return 0;
    }

    private static WireResult Measure(int setSize, int replicas, bool fullMesh)
    {
        const string Key = "big";
        var defaults = new ReplicaOptions();
        var options = fullMesh ? defaults with { FullMeshLimit = replicas } : defaults;
        var topology = replicas - 1 <= options.FullMeshLimit ? "full mesh" : $"gossip fan-out {options.GossipFanout}";
        var sim = new Simulation.Simulation(new SimulationOptions { Seed = 1, Replicas = replicas, Replica = options, CheckBoundsEveryStep = false });
        sim.Write(0, SimulatedMutation.SetAddRange(Key, "element-", setSize));
        sim.RunUntilQuiescent(600_000);
        if (!sim.DigestsEqual())
        {
            throw new InvalidOperationException("the cluster did not converge on the large set");
        }

        var carrying = 0;
        long carryingBytes = 0;
        long originBytes = 0;
        long ackBytes = 0;
        sim.MessageSent = sent =>
        {
            if (sent.Message is Ack)
            {
                ackBytes += sent.Bytes;
            }
            else if (Carries(sent.Message, Key))
            {
                carrying++;
                carryingBytes += sent.Bytes;
                if (sent.From == 0)
                {
                    originBytes += sent.Bytes;
                }
            }
        };
        sim.Write(0, SimulatedMutation.SetAdd(Key, "one-more"));
        sim.RunUntilQuiescent(600_000);
        if (!sim.DigestsEqual())
        {
            throw new InvalidOperationException("the cluster did not converge on the add");
        }
        var peers = replicas - 1;
        return new WireResult(setSize, replicas, (double)carryingBytes / peers, topology, carrying, (double)originBytes / peers, (double)ackBytes / peers);
    }

    private static bool Carries(Message message, string key) => message switch
    {
        DeltaBatch d => d.Entries.Any(e => e.Key == key),
        StateBatch s => s.Entries.Any(e => e.Key == key),
        StatePart p => p.Key == key,
        ReadResponse r => r.State?.Key == key,
        _ => false,
    };
}
