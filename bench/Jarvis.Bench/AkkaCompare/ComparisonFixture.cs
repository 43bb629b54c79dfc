using Akka.Actor;
using Akka.Cluster;
using Jarvis.Crdt;
using AkkaORSet = Akka.DistributedData.ORSet<string>;
using JarvisORSet = Jarvis.Crdt.ORSet<string>;

namespace Jarvis.Bench.AkkaCompare;

/// <summary>
/// The inputs every workload shares, made once outside any measured region: the element strings, the
/// replicas of both libraries, and the reference states the merge, remove and encoding workloads start from.
/// </summary>
/// <remarks>
/// Replica A adds <c>user-0 .. user-19999</c>, replica B adds <c>user-10000 .. user-29999</c>: two
/// 20,000-element sets that overlap by half, whose merge holds 30,000 elements, 10,000 of them added
/// concurrently on both replicas (two dots each). Jarvis replicas are 64-bit ids derived from the same
/// host:port names the Akka nodes use, so both libraries carry comparable identities.
/// </remarks>
internal sealed class ComparisonFixture
{
    public const int SetSize = 20_000;
    public const int CounterReplicaCount = 10;

    public ComparisonFixture()
    {
        AllElements = new string[SetSize + (SetSize / 2)];
        for (var i = 0; i < AllElements.Length; i++)
        {
            AllElements[i] = $"user-{i}";
        }
        ElementsA = AllElements[..SetSize];
        ElementsB = AllElements[(SetSize / 2)..];

        JarvisA = JarvisReplica(0);
        JarvisB = JarvisReplica(1);
        AkkaA = AkkaNode(0);
        AkkaB = AkkaNode(1);
        JarvisCounterReplicas = [.. Enumerable.Range(0, CounterReplicaCount).Select(JarvisReplica)];
        AkkaCounterNodes = [.. Enumerable.Range(0, CounterReplicaCount).Select(AkkaNode)];

        JarvisSetA = BuildJarvis(JarvisA, ElementsA);
        JarvisSetB = BuildJarvis(JarvisB, ElementsB);
        AkkaSetA = BuildAkka(AkkaA, ElementsA);
        AkkaSetB = BuildAkka(AkkaB, ElementsB);
        JarvisMerged = JarvisSetA.Clone();
        JarvisMerged.Join(JarvisSetB);
        AkkaMerged = AkkaSetA.Merge(AkkaSetB);
        JarvisSingle = BuildJarvis(JarvisA, AllElements);
        AkkaSingle = BuildAkka(AkkaA, AllElements);
    }

    /// <summary><c>user-0 .. user-29999</c>.</summary>
    public string[] AllElements { get; }

    /// <summary>The elements replica A adds: <c>user-0 .. user-19999</c>.</summary>
    public string[] ElementsA { get; }

    /// <summary>The elements replica B adds: <c>user-10000 .. user-29999</c>.</summary>
    public string[] ElementsB { get; }

    public ReplicaId JarvisA { get; }

    public ReplicaId JarvisB { get; }

    public UniqueAddress AkkaA { get; }

    public UniqueAddress AkkaB { get; }

    public ReplicaId[] JarvisCounterReplicas { get; }

    public UniqueAddress[] AkkaCounterNodes { get; }

    /// <summary>Replica A's set. Shared: clone before mutating.</summary>
    public JarvisORSet JarvisSetA { get; }

    /// <summary>Replica B's set. Shared: clone before mutating.</summary>
    public JarvisORSet JarvisSetB { get; }

    /// <summary>Replica A's set, its delta reset as a replicated state at rest has none.</summary>
    public AkkaORSet AkkaSetA { get; }

    /// <summary>Replica B's set, its delta reset.</summary>
    public AkkaORSet AkkaSetB { get; }

    /// <summary>A merged with B: 30,000 elements. Shared: clone before mutating.</summary>
    public JarvisORSet JarvisMerged { get; }

    /// <summary>A merged with B: 30,000 elements.</summary>
    public AkkaORSet AkkaMerged { get; }

    /// <summary>All 30,000 elements added on replica A alone (one dot each). Shared: clone before mutating.</summary>
    public JarvisORSet JarvisSingle { get; }

    /// <summary>All 30,000 elements added on replica A alone.</summary>
    public AkkaORSet AkkaSingle { get; }

    public static JarvisORSet BuildJarvis(ReplicaId replica, string[] elements)
    {
        var set = new JarvisORSet();
        foreach (var element in elements)
        {
            set.Add(replica, element);
        }
        return set;
    }

    public static AkkaORSet BuildAkka(UniqueAddress node, string[] elements)
    {
        var set = AkkaORSet.Empty;
        foreach (var element in elements)
        {
            set = set.Add(node, element);
        }
        return set.ResetDelta();
    }

    private static string HostPort(int index) => $"host:{2551 + index}";

    private static ReplicaId JarvisReplica(int index) => ReplicaId.FromName(HostPort(index));

    private static UniqueAddress AkkaNode(int index) => new(new Address("akka.tcp", "sys", "host", 2551 + index), index + 1);
}
