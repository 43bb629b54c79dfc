using Jarvis.Bench.Measurement;
using Jarvis.Crdt.Encoding;
using AkkaORSet = Akka.DistributedData.ORSet<string>;
using JarvisORSet = Jarvis.Crdt.ORSet<string>;

namespace Jarvis.Bench.AkkaCompare.Workloads;

/// <summary>
/// Decodes the encoding of a 30,000-element set (built on one replica, or merged from two; see
/// <see cref="OrSetEncodeWorkload"/>), each library its own encoding made before the clock starts. Checked by comparing the decoded elements with the original, and for Jarvis by
/// re-encoding to the same bytes (its encoding is deterministic).
/// </summary>
internal sealed class OrSetDecodeWorkload(ComparisonFixture fixture, AkkaSerialization akkaSerialization, bool merged) : IComparisonWorkload
{
    public string Name => merged ? "orset-decode-30k-merged" : "orset-decode-30k";

    public string Description => merged
        ? "ORSet: decode the encoding of the 30,000-element merged set"
        : "ORSet: decode the encoding of the 30,000-element one-replica set";

    public ComparisonResult Run(MeasurementPlan plan)
    {
        var serializer = akkaSerialization.Serializer;
        var jarvisSet = merged ? fixture.JarvisMerged : fixture.JarvisSingle;
        var akkaSet = merged ? fixture.AkkaMerged : fixture.AkkaSingle;
        var jarvisBytes = CrdtEncoding.Encode(jarvisSet);
        var akkaBytes = serializer.ToBinary(akkaSet);
        var manifest = serializer.Manifest(akkaSet);
        var jarvis = IterationSampler.Run(plan, () => jarvisBytes, bytes => CrdtEncoding.Decode<JarvisORSet>(bytes));
        var akka = IterationSampler.Run(plan, () => akkaBytes, bytes => (AkkaORSet)serializer.FromBinary(bytes, manifest));

        ResultAgreement.RequireSameElements(Name, jarvis.Output.Elements, akka.Output.Elements, fixture.AllElements);
        if (!CrdtEncoding.Encode(jarvis.Output).AsSpan().SequenceEqual(jarvisBytes))
        {
            throw new ComparisonMismatchException($"{Name}: Jarvis's decoded set re-encodes to different bytes.");
        }
        return new ComparisonResult(Name, Description, jarvis.Median, akka.Median, jarvisBytes.Length, akkaBytes.Length);
    }
}
