using Jarvis.Replication;
using Jarvis.Simulation.Internal;

namespace Jarvis.Simulation;

/// <summary>
/// One randomized history per seed: the seed chooses the cluster (3–5 replicas and their tuning), a fault
/// mix (<see cref="FaultMix"/>; a disk loss is drawn apart, in about one seed in ten) and a workload of
/// writes of every simulated type at random replicas and levels, plus quorum reads. The workload includes
/// extreme values: counter amounts up to 2^63 - 1, series values of ±1.7e308, ±0, NaN and ±infinity, text
/// with surrogate pairs at random edit positions, keys with dots and odd characters; what an object refuses
/// for its value changes nothing and is not a failure. Every fault heals at <see cref="WorkloadMs"/>; the
/// cluster then runs until quiet and every checker runs (<see cref="Simulation.CheckConverged"/>), after the
/// bounds checks that ran after every event. Everything is drawn from one <see cref="Random"/> seeded with the seed.
/// </summary>
public static class SeededRun
{
    /// <summary>Virtual milliseconds of workload and faults; everything heals at this time.</summary>
    public const long WorkloadMs = 2_500;

    /// <summary>The longest a cluster may take to go quiet after healing before that counts as a failure.</summary>
    public const long QuiesceCapMs = 60_000;

    /// <summary>How long after quiescence a departed replica must be retired everywhere (simulated time).</summary>
    public const long RetirementCapMs = 30_000;

    private static readonly string[] SetKeys = ["set/a", "set/b", "set/v2.0/ünï 😀"];

    /// <summary>Runs the history of <paramref name="seed"/> and its checkers.</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="verbose">Where to write every event as it happens, or null.</param>
    /// <exception cref="SimulationFailureException">A checker found a violation.</exception>
    public static SimulationResult Run(int seed, TextWriter? verbose = null) => Run(seed, verbose, adjust: null);

    /// <summary>
    /// Runs a seed with its replica options adjusted (the rest of the history drawn as usual), to tell
    /// apart failures that an option masks, e.g. one batch in flight per peer.
    /// </summary>
    internal static SimulationResult Run(int seed, TextWriter? verbose, Func<SimulationOptions, SimulationOptions>? adjust)
    {
        var random = new Random(seed);
        var options = ChooseOptions(seed, random) with { VerboseTrace = verbose };
        if (adjust is not null)
        {
            options = adjust(options);
        }
        var simulation = new Simulation(options, random);
        var faults = ScheduleFaults(simulation, random) | ScheduleDiskLoss(simulation, seed);
        simulation.RequireQuorumReadsGathered = faults == FaultMix.None;
        verbose?.WriteLine($"seed {seed}: {options.Replicas} replicas, faults {faults}, {options.Replica}");
        ScheduleWorkload(simulation, random);
        simulation.At(WorkloadMs, "every fault heals", () => HealEverything(simulation, options));
        simulation.RunUntil(WorkloadMs);
        var quietAt = simulation.RunUntilQuiescent(QuiesceCapMs);
        if (faults.HasFlag(FaultMix.Departure))
        {
            AwaitRetirement(simulation, options);
            quietAt = simulation.RunUntilQuiescent(QuiesceCapMs);
        }
        simulation.CheckConverged();
        return new SimulationResult(
            seed,
            faults,
            options.Replicas,
            simulation.EventCount,
            simulation.EventSequenceHash,
            simulation.Digest(0),
            quietAt,
            simulation.WritesIssued,
            simulation.WritesAcknowledged,
            simulation.MessagesSent,
            simulation.BytesSent,
            simulation.ClockRefusals,
            simulation.WritesRefusedForClock);
    }

    /// <summary>
    /// After a departure: the leaving replica must hand off and stop, and — in a full mesh, where every
    /// member hears every other's quiet digest — every remaining replica must retire it from causal
    /// metadata within a bounded time.
    /// </summary>
    private static void AwaitRetirement(Simulation simulation, SimulationOptions options)
    {
        var fullMesh = simulation.ReplicaCount - 1 <= options.Replica.FullMeshLimit;
        var done = simulation.RunUntil(
            () => Enumerable.Range(0, simulation.ReplicaCount).Any(simulation.HasDeparted) && (!fullMesh || simulation.DepartedRetired()),
            simulation.Now + RetirementCapMs);
        if (done is null)
        {
            var states = string.Join("; ", Enumerable.Range(0, simulation.ReplicaCount)
                .Where(i => simulation.Replica(i) is not null)
                .Select(i => $"r{i} ({simulation.Replica(i)!.KeysWithRetirableMetadata().Count} keys to prune): {simulation.Replica(i)!.DescribeRetirement()}"));
            simulation.Fail(Enumerable.Range(0, simulation.ReplicaCount).Any(simulation.HasDeparted)
                ? $"departed replica not retired within {RetirementCapMs} ms of quiescence: {states}"
                : $"leaving replica did not hand off and stop within {RetirementCapMs} ms of quiescence: {states}");
        }
    }

    private static SimulationOptions ChooseOptions(int seed, Random random)
    {
        var gossip = random.Next(4) == 0;
        var replica = new ReplicaOptions
        {
            SyncIntervalMs = 50,
            RetransmitAfterMs = 200,
            DefaultTimeoutMs = 2_000,
            MaxBatchesInFlight = Pick(random, 1, 2, 4),
            DeltaBufferLimit = Pick(random, 6, 32, 10_000),
            DeltaBufferByteLimit = Pick(random, 1_500L, 32L * 1024 * 1024, 32L * 1024 * 1024),
            CheckpointEveryRecords = Pick(random, 8, 40, 10_000),
            MaxMessageBytes = Pick(random, 600, 4_096, 64 * 1024),
            FullMeshLimit = gossip ? 2 : 16,
            GossipFanout = gossip ? Pick(random, 1, 2) : 4,
        };
        // A drift bound of a second: a clock can run beyond it, and the data it stamped come back within it, in one run.
        return new SimulationOptions { Seed = seed, Replicas = 3 + random.Next(3), Replica = replica, MaxClockDriftMs = 1_000 };
    }

    private static FaultMix ScheduleFaults(Simulation simulation, Random random)
    {
        FaultMix[] singles = [FaultMix.None, FaultMix.Loss, FaultMix.Duplication, FaultMix.Reordering, FaultMix.SymmetricPartition, FaultMix.AsymmetricPartition, FaultMix.CrashRestart, FaultMix.DiskFull, FaultMix.WriteErrors, FaultMix.ClockSkew, FaultMix.Departure];
        var choice = random.Next(singles.Length + 4);
        FaultMix mix;
        if (choice < singles.Length)
        {
            mix = singles[choice];
        }
        else
        {
            // A combination: each kind with even odds, at least two of them.
            do
            {
                mix = FaultMix.None;
                foreach (var kind in singles.Skip(1))
                {
                    if (random.Next(2) == 0)
                    {
                        mix |= kind;
                    }
                }
            }
            while (System.Numerics.BitOperations.PopCount((uint)mix) < 2);
        }
        var n = simulation.ReplicaCount;
        if (mix.HasFlag(FaultMix.Loss))
        {
            simulation.SetLossRate(0.10 + (random.NextDouble() * 0.20));
        }
        if (mix.HasFlag(FaultMix.Duplication))
        {
            simulation.SetDuplicateRate(0.05 + (random.NextDouble() * 0.20));
        }
        if (mix.HasFlag(FaultMix.Reordering))
        {
            simulation.SetDelay(1, 40 + random.Next(120));
        }
        if (mix.HasFlag(FaultMix.ClockSkew))
        {
            ScheduleClockSkew(simulation, random);
        }
        SchedulePartitions(simulation, random, mix.HasFlag(FaultMix.SymmetricPartition), mix.HasFlag(FaultMix.AsymmetricPartition));
        if (mix.HasFlag(FaultMix.CrashRestart))
        {
            ScheduleCrashes(simulation, random);
        }
        if (mix.HasFlag(FaultMix.DiskFull))
        {
            for (var w = 1 + random.Next(2); w > 0; w--)
            {
                var r = random.Next(n);
                var start = random.NextInt64(WorkloadMs * 4 / 5);
                var end = Math.Min(WorkloadMs, start + 100 + random.Next(800));
                simulation.At(start, "disk fills up", () => simulation.SetDiskFull(r, true), r);
                simulation.At(end, "disk freed", () => simulation.SetDiskFull(r, false), r);
            }
        }
        if (mix.HasFlag(FaultMix.Departure))
        {
            // Never replica 0 (results report its digest); at least two replicas remain.
            var leaver = 1 + random.Next(n - 1);
            void LeaveWhenUp()
            {
                // A replica that is down at that moment leaves once it is back.
                if (simulation.IsUp(leaver))
                {
                    simulation.Leave(leaver);
                }
                else
                {
                    simulation.At(simulation.Now + 100, "leaves once up", LeaveWhenUp, leaver);
                }
            }
            simulation.At(random.NextInt64(WorkloadMs / 5, WorkloadMs * 3 / 5), "leaves", LeaveWhenUp, leaver);
        }
        if (mix.HasFlag(FaultMix.WriteErrors))
        {
            var r = random.Next(n);
            var rate = 0.05 + (random.NextDouble() * 0.25);
            var start = random.NextInt64(WorkloadMs / 2);
            var end = Math.Min(WorkloadMs, start + 300 + random.Next(1_200));
            simulation.At(start, "write errors begin", () => simulation.SetWriteErrorRate(r, rate), r);
            simulation.At(end, "write errors end", () => simulation.SetWriteErrorRate(r, 0), r);
        }
        return mix;
    }

    /// <summary>
    /// In about one seed in ten, one replica loses its disk once, mid-workload, and restarts empty under
    /// the same name. Drawn from a source of its own so the other seeds' histories stay what they were.
    /// </summary>
    private static FaultMix ScheduleDiskLoss(Simulation simulation, int seed)
    {
        if (!LosesADisk(seed, out var random))
        {
            return FaultMix.None;
        }
        var r = random.Next(simulation.ReplicaCount);
        var at = random.NextInt64(WorkloadMs - 200);
        var restart = Math.Min(WorkloadMs, at + 50 + random.Next(650));
        simulation.At(at, "disk lost", () => simulation.LoseDisk(r), r);
        simulation.At(restart, "restart on an empty disk", () => simulation.Restart(r), r);
        return FaultMix.DiskLost;
    }

    /// <summary>Whether the history of <paramref name="seed"/> includes a disk loss.</summary>
    internal static bool LosesADisk(int seed) => LosesADisk(seed, out _);

    private static bool LosesADisk(int seed, out Random random)
    {
        random = new Random(unchecked((seed * 7_919) + 1_024));
        return random.Next(10) == 0;
    }

    private static void SchedulePartitions(Simulation simulation, Random random, bool symmetric, bool asymmetric)
    {
        var kinds = new List<bool>();
        if (symmetric)
        {
            kinds.Add(true);
        }
        if (asymmetric)
        {
            kinds.Add(false);
        }
        var at = 0L;
        foreach (var kind in kinds.Concat(kinds).Take(random.Next(kinds.Count, (2 * kinds.Count) + 1)))
        {
            var start = at + random.NextInt64(Math.Max(1, (WorkloadMs * 3 / 4) - at));
            var end = Math.Min(WorkloadMs, start + 200 + random.Next(1_000));
            if (start >= WorkloadMs)
            {
                break;
            }
            var order = Enumerable.Range(0, simulation.ReplicaCount).ToArray();
            random.Shuffle(order);
            var cut = 1 + random.Next(order.Length - 1);
            var sideA = order[..cut];
            var sideB = order[cut..];
            var isSymmetric = kind;
            simulation.At(start, "partition begins", () => simulation.Partition(sideA, sideB, isSymmetric));
            simulation.At(end, "partition heals", simulation.HealPartitions);
            at = end;
        }
    }

    /// <summary>
    /// Every clock a little off, within the drift bound of each other; and one replica's clock jumping beyond
    /// the bound, ahead or behind, for a while before it is fixed: the others refuse it (or it refuses them),
    /// it refuses writes once it hears them, and what it stamped ahead comes back once real time catches up.
    /// </summary>
    private static void ScheduleClockSkew(Simulation simulation, Random random)
    {
        var bound = simulation.MaxClockDriftMs;
        var within = new long[simulation.ReplicaCount];
        for (var i = 0; i < within.Length; i++)
        {
            within[i] = random.NextInt64(-bound * 2 / 5, (bound * 2 / 5) + 1);
            simulation.SetClockSkew(i, within[i]);
        }
        var r = random.Next(within.Length);
        var jump = (long)(bound * (1.5 + (random.NextDouble() * 2.5))) * (random.Next(3) == 0 ? -1 : 1);
        var start = random.NextInt64(WorkloadMs * 2 / 3);
        var end = Math.Min(WorkloadMs, start + 300 + random.Next(1_200));
        simulation.At(start, "clock jumps beyond the drift bound", () => simulation.SetClockSkew(r, within[r] + jump), r);
        simulation.At(end, "clock fixed", () => simulation.SetClockSkew(r, within[r]), r);
    }

    private static void ScheduleCrashes(Simulation simulation, Random random)
    {
        var n = simulation.ReplicaCount;
        var minority = Math.Max(1, (n - 1) / 2);
        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);
        foreach (var r in order.Take(1 + random.Next(minority)))
        {
            var at = 0L;
            for (var c = 1 + random.Next(2); c > 0 && at < WorkloadMs - 200; c--)
            {
                var crash = at + random.NextInt64(WorkloadMs - 200 - at);
                var restart = Math.Min(WorkloadMs, crash + 50 + random.Next(650));
                var replica = r;
                simulation.At(crash, "crash", () => simulation.Crash(replica), replica);
                simulation.At(restart, "restart", () => simulation.Restart(replica), replica);
                at = restart + 1;
            }
        }
    }

    private static void ScheduleWorkload(Simulation simulation, Random random)
    {
        var operations = 30 + random.Next(40);
        for (var op = 0; op < operations; op++)
        {
            var number = op;
            simulation.At(random.NextInt64(WorkloadMs), "workload", () => Operate(simulation, number));
        }
    }

    private static void Operate(Simulation simulation, int number)
    {
        var random = simulation.Random;
        var r = random.Next(simulation.ReplicaCount);
        var roll = random.Next(100);
        var levelRoll = random.Next(100);
        var level = levelRoll < 70 ? Consistency.Local : levelRoll < 92 ? Consistency.Majority : Consistency.All;
        long timeout = 200 + random.Next(2_300);
        var setKey = SetKeys[random.Next(SetKeys.Length)];
        var element = $"e{number}";
        if (!simulation.IsUp(r))
        {
            return;
        }
        SimulatedMutation[] mutations;
        if (roll < 16)
        {
            mutations = [SimulatedMutation.SetAdd(setKey, element)];
        }
        else if (roll < 28)
        {
            // A map of time series and a map of workflows, nested, with removals racing appends and moves; extreme
            // series values among the appends.
            var sub = random.Next(12);
            var stamp = (ulong)random.Next(20_000);
            mutations = sub switch
            {
                < 6 => [ExtremeValues.SeriesAppend(random, "series", $"s{random.Next(2)}", stamp)],
                6 => [random.Next(2) == 0 ? SimulatedMutation.SeriesRemove("series", "s1") : SimulatedMutation.SeriesDownsample("series", "s0", stamp)],
                < 11 => [SimulatedMutation.FlowTransition("flows", $"f{random.Next(2)}", (ulong)random.Next(4))],
                _ => [SimulatedMutation.FlowRemove("flows", "f1")],
            };
        }
        else if (roll < 36)
        {
            var present = simulation.ElementsAdded(setKey);
            mutations = present.Count > 0
                ? [SimulatedMutation.SetRemove(setKey, present[random.Next(present.Count)])]
                : [SimulatedMutation.SetAdd(setKey, element)];
        }
        else if (roll < 48)
        {
            mutations = [SimulatedMutation.GCounterIncrement("counter/g", ExtremeValues.CounterAmount(random))];
        }
        else if (roll < 58)
        {
            var amount = ExtremeValues.CounterAmount(random);
            mutations = [random.Next(3) == 0 ? SimulatedMutation.PNCounterDecrement("counter/pn", amount) : SimulatedMutation.PNCounterIncrement("counter/pn", amount)];
        }
        else if (roll < 66)
        {
            mutations = [SimulatedMutation.RegisterSet(ExtremeValues.RegisterKey(random), $"v{number}")];
        }
        else if (roll < 78)
        {
            mutations = [SimulatedMutation.NestedAdd("map", $"m{random.Next(3)}", element)];
        }
        else if (roll < 81)
        {
            mutations = [SimulatedMutation.NestedRemove("map", "m2")];
        }
        else if (roll < 84)
        {
            mutations = [SimulatedMutation.SetAdd(setKey, element), SimulatedMutation.GCounterIncrement("counter/g", 1)];
        }
        else if (roll < 90)
        {
            // Concurrent typing and deleting in one text, with characters of two UTF-16 units that random positions try
            // to split: its convergence is checked with every other key's, and its well-formedness.
            var position = (ulong)random.NextInt64(long.MaxValue);
            mutations = [random.Next(3) == 0 ? SimulatedMutation.TextDelete("text", position) : SimulatedMutation.TextInsert("text", ExtremeValues.Text(random, element), position)];
        }
        else
        {
            simulation.Read(r, setKey, Consistency.Majority, timeout);
            return;
        }
        simulation.Write(r, mutations, level, timeout);
    }

    private static void HealEverything(Simulation simulation, SimulationOptions options)
    {
        simulation.SetLossRate(0);
        simulation.SetDuplicateRate(0);
        simulation.SetDelay(options.MinDelayMs, options.MaxDelayMs);
        simulation.HealPartitions();
        for (var i = 0; i < simulation.ReplicaCount; i++)
        {
            simulation.SetDiskFull(i, false);
            simulation.SetWriteErrorRate(i, 0);
            simulation.Restart(i);
        }
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];
}
