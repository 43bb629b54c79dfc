using Jarvis.Bench.Measurement;
using AkkaORSet = Akka.DistributedData.ORSet<string>;
using JarvisORSet = Jarvis.Crdt.ORSet<string>;

namespace Jarvis.Bench.AkkaCompare.Workloads;

/// <summary>
/// 20,000 adds of distinct elements on one replica, one mutator call each. Jarvis returns a per-add
/// delta that the loop drops; Akka's immutable set returns a new set that also carries the delta group.
/// </summary>
internal sealed class OrSetAddWorkload(ComparisonFixture fixture) : IComparisonWorkload
{
    public string Name => "orset-add-20k";

    public string Description => "ORSet: add 20,000 distinct strings on one replica, one call per add";

    public ComparisonResult Run(MeasurementPlan plan)
    {
        var elements = fixture.ElementsA;
        var replica = fixture.JarvisA;
        var node = fixture.AkkaA;
        var jarvis = IterationSampler.Run(plan, () => new JarvisORSet(), set =>
        {
            foreach (var element in elements)
            {
                set.Add(replica, element);
            }
            return set;
        });
        var akka = IterationSampler.Run(plan, () => AkkaORSet.Empty, set =>
        {
            foreach (var element in elements)
            {
                set = set.Add(node, element);
            }
            return set;
        });
        ResultAgreement.RequireSameElements(Name, jarvis.Output.Elements, akka.Output.Elements, elements);
        return new ComparisonResult(Name, Description, jarvis.Median, akka.Median);
    }
}
