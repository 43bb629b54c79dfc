using System.Diagnostics;
using System.Globalization;
using Jarvis.Replication.AntiEntropy;

namespace Jarvis.Bench.AntiEntropy;

/// <summary>
/// <c>antientropy [--json] [--keys N] [--fanout 16[,32,64]] [--budget BYTES]</c>: builds two replicas'
/// Merkle indexes over the same N keys, makes them differ in 1, then 10, 100 and 1,000 keys, and runs the
/// comparison in-process after each step, counting the bytes of every message both ways and the round
/// trips; reports the time and memory of building an index too. Exit code 1 if a comparison finds other
/// keys than those made to differ.
/// </summary>
internal sealed class AntiEntropyCommand : IBenchCommand
{
    private const int DefaultKeys = 1_000_000;
    private static readonly int[] DifferingSteps = [1, 10, 100, 1_000];

    public string Name => "antientropy";

    public string Summary => "Merkle-tree comparison of two replicas of 1M keys differing in 1..1000: bytes, round trips, index build";

    public string Usage => $"[--json] [--keys N (default {DefaultKeys:N0})] [--fanout 16[,32,64] (default 16)] [--budget BYTES (default {MerkleComparison.DefaultMaxMessageBytes})]";

    public int Run(string[] args)
    {
        if (!TryParse(args, out var options, out var error))
        {
            Console.Error.WriteLine($"{Name}: {error}");
            Console.Error.WriteLine($"usage: {Name} {Usage}");
            return 2;
        }

        Console.Error.WriteLine($"making {options.Keys:N0} keys...");
        var keys = DivergedReplicas.MakeKeys(options.Keys);
        var rows = new List<AntiEntropyRow>();
        foreach (var fanOut in options.FanOuts)
        {
            if (!RunFanOut(keys, fanOut, options.Budget, rows))
            {
                return 1;
            }
        }

        if (options.Json)
        {
            AntiEntropyReport.WriteJsonLines(Console.Out, rows);
        }
        else
        {
            AntiEntropyReport.WriteTable(Console.Out, rows, options.Budget);
        }
        return 0;
    }

    /// <summary>Builds the two replicas at one fan-out (in a method of its own, so they are garbage before the next).</summary>
    private static bool RunFanOut(string[] keys, int fanOut, int budget, List<AntiEntropyRow> rows)
    {
        Console.Error.WriteLine($"fan-out {fanOut}: building two indexes of {keys.Length:N0} keys...");
        var replicas = DivergedReplicas.Build(keys, fanOut);
        foreach (var differing in DifferingSteps)
        {
            replicas.DivergeTo(differing);
            var clock = Stopwatch.StartNew();
            var outcome = InMemoryMerkleExchange.Run(replicas.A, replicas.B, budget);
            var compareMs = clock.Elapsed.TotalMilliseconds;
            if (!outcome.Initiator.KeysToSend.SequenceEqual(replicas.ExpectedFromA) || !outcome.Responder.KeysToSend.SequenceEqual(replicas.ExpectedFromB))
            {
                Console.Error.WriteLine($"WRONG KEYS at fan-out {fanOut}, {differing} differing: A would send {outcome.Initiator.KeysToSend.Count} (expected {replicas.ExpectedFromA.Count}), B {outcome.Responder.KeysToSend.Count} (expected {replicas.ExpectedFromB.Count})");
                return false;
            }
            rows.Add(new AntiEntropyRow(
                fanOut,
                keys.Length,
                replicas.Differing,
                outcome.Bytes,
                outcome.Messages,
                outcome.RoundTrips,
                outcome.LargestMessage,
                compareMs,
                replicas.BuildMilliseconds,
                replicas.IndexBytes));
        }
        return true;
    }

    private sealed record Options(bool Json, int Keys, int[] FanOuts, int Budget);

    private static bool TryParse(string[] args, out Options options, out string error)
    {
        var json = false;
        var keys = DefaultKeys;
        int[] fanOuts = [MerkleIndex.DefaultFanOut];
        var budget = MerkleComparison.DefaultMaxMessageBytes;
        options = new Options(json, keys, fanOuts, budget);
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--keys":
                    if (!TryReadInt(args, ref i, out keys) || keys < 2_000)
                    {
                        error = "--keys needs a whole number of at least 2,000";
                        return false;
                    }
                    break;
                case "--budget":
                    if (!TryReadInt(args, ref i, out budget) || budget < MerkleComparison.MinMaxMessageBytes)
                    {
                        error = $"--budget needs a whole number of at least {MerkleComparison.MinMaxMessageBytes}";
                        return false;
                    }
                    break;
                case "--fanout":
                    if (i + 1 >= args.Length)
                    {
                        error = "--fanout needs 16, 32 or 64, or a comma-separated list of them";
                        return false;
                    }
                    var parsed = new List<int>();
                    foreach (var part in args[++i].Split(','))
                    {
                        if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var fanOut) || fanOut is not (16 or 32 or 64))
                        {
                            error = $"--fanout: '{part}' is not 16, 32 or 64";
                            return false;
                        }
                        parsed.Add(fanOut);
                    }
                    fanOuts = [.. parsed];
                    break;
                default:
                    error = $"unknown option '{args[i]}'";
                    return false;
            }
        }
        options = new Options(json, keys, fanOuts, budget);
        return true;
    }

    private static bool TryReadInt(string[] args, ref int i, out int value)
    {
        value = 0;
        return i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value);
    }
}
