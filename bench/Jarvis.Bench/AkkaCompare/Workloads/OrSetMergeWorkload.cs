using Jarvis.Bench.Measurement;

namespace Jarvis.Bench.AkkaCompare.Workloads;

/// <summary>
/// Merges replica B's 20,000-element set into replica A's (see <see cref="ComparisonFixture"/>: they
/// overlap by half). Jarvis joins in place, so each iteration joins into a fresh clone of A made before
/// the clock starts; Akka's merge returns a new set.
/// </summary>
internal sealed class OrSetMergeWorkload(ComparisonFixture fixture) : IComparisonWorkload
{
    public string Name => "orset-merge-20k";

    public string Description => "ORSet: merge two 20,000-element sets from two replicas, overlapping by 10,000";

    public ComparisonResult Run(MeasurementPlan plan)
    {
        var jarvisB = fixture.JarvisSetB;
        var akkaA = fixture.AkkaSetA;
        var akkaB = fixture.AkkaSetB;
        var jarvis = IterationSampler.Run(plan, fixture.JarvisSetA.Clone, target =>
        {
            target.Join(jarvisB);
            return target;
        });
        var akka = IterationSampler.Run(plan, () => akkaA, target => target.Merge(akkaB));
        ResultAgreement.RequireSameElements(Name, jarvis.Output.Elements, akka.Output.Elements, fixture.AllElements);
        return new ComparisonResult(Name, Description, jarvis.Median, akka.Median);
    }
}
