using Jarvis.Bench.Measurement;

namespace Jarvis.Bench.AkkaCompare.Workloads;

/// <summary>
/// Removes every other element (10,000 of 20,000) from replica A's set, one mutator call each. Jarvis
/// removes in place from a fresh clone made before the clock starts; Akka's set is immutable.
/// </summary>
internal sealed class OrSetRemoveWorkload(ComparisonFixture fixture) : IComparisonWorkload
{
    public string Name => "orset-remove-10k";

    public string Description => "ORSet: remove 10,000 of a 20,000-element set, one call per remove";

    public ComparisonResult Run(MeasurementPlan plan)
    {
        var removed = fixture.ElementsA.Where((_, i) => i % 2 == 0).ToArray();
        var kept = fixture.ElementsA.Where((_, i) => i % 2 == 1).ToArray();
        var node = fixture.AkkaA;
        var akkaA = fixture.AkkaSetA;
        var jarvis = IterationSampler.Run(plan, fixture.JarvisSetA.Clone, set =>
        {
            foreach (var element in removed)
            {
                set.Remove(element);
            }
            return set;
        });
        var akka = IterationSampler.Run(plan, () => akkaA, set =>
        {
            foreach (var element in removed)
            {
                set = set.Remove(node, element);
            }
            return set;
        });
        ResultAgreement.RequireSameElements(Name, jarvis.Output.Elements, akka.Output.Elements, kept);
        return new ComparisonResult(Name, Description, jarvis.Median, akka.Median);
    }
}
