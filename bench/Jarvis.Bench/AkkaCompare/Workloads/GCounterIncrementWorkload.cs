using Jarvis.Bench.Measurement;
using AkkaGCounter = Akka.DistributedData.GCounter;
using JarvisGCounter = Jarvis.Crdt.GCounter;

namespace Jarvis.Bench.AkkaCompare.Workloads;

/// <summary>
/// One million increments by one, round-robin over ten replicas of one counter, one mutator call each.
/// Jarvis returns a per-increment delta that the loop drops; Akka returns a new counter.
/// </summary>
internal sealed class GCounterIncrementWorkload(ComparisonFixture fixture) : IComparisonWorkload
{
    private const int Increments = 1_000_000;

    public string Name => "gcounter-1m";

    public string Description => "GCounter: 1,000,000 increments round-robin over 10 replicas, one call each";

    public ComparisonResult Run(MeasurementPlan plan)
    {
        var replicas = fixture.JarvisCounterReplicas;
        var nodes = fixture.AkkaCounterNodes;
        var jarvis = IterationSampler.Run(plan, () => new JarvisGCounter(), counter =>
        {
            for (var i = 0; i < Increments; i++)
            {
                counter.Increment(replicas[i % replicas.Length]);
            }
            return counter;
        });
        var akka = IterationSampler.Run(plan, () => AkkaGCounter.Empty, counter =>
        {
            for (var i = 0; i < Increments; i++)
            {
                counter = counter.Increment(nodes[i % nodes.Length]);
            }
            return counter;
        });
        ResultAgreement.RequireSameValue(Name, jarvis.Output.Value, akka.Output.Value, Increments);
        return new ComparisonResult(Name, Description, jarvis.Median, akka.Median);
    }
}
