using System.IO.Compression;
using Jarvis.Bench.Measurement;
using Jarvis.Crdt.Encoding;
using AkkaORSet = Akka.DistributedData.ORSet<string>;
using JarvisORSet = Jarvis.Crdt.ORSet<string>;

namespace Jarvis.Bench.AkkaCompare.Workloads;

/// <summary>
/// Encodes a 30,000-element set to bytes: Jarvis with <see cref="CrdtEncoding"/>, Akka with its wire
/// serializer. Run twice: on the set one replica built by 30,000 adds, and on the set merged from two
/// replicas (see <see cref="ComparisonFixture"/>), a third of whose elements carry two dots. Checked by
/// decoding each encoding back and comparing it with the original.
/// </summary>
/// <remarks>
/// Akka's serializer gzips an ORSet's protobuf; Jarvis does not compress. The note gives both the other
/// way round (Akka's protobuf before gzip, Jarvis's bytes gzipped at the same level) so the sizes can be
/// read fairly; those are computed after the measurement and not timed.
/// </remarks>
internal sealed class OrSetEncodeWorkload(ComparisonFixture fixture, AkkaSerialization akkaSerialization, bool merged) : IComparisonWorkload
{
    public string Name => merged ? "orset-encode-30k-merged" : "orset-encode-30k";

    public string Description => merged
        ? "ORSet: encode a 30,000-element set merged from two replicas"
        : "ORSet: encode a 30,000-element set built by adds on one replica";

    public ComparisonResult Run(MeasurementPlan plan)
    {
        var serializer = akkaSerialization.Serializer;
        var jarvisSet = merged ? fixture.JarvisMerged : fixture.JarvisSingle;
        var akkaSet = merged ? fixture.AkkaMerged : fixture.AkkaSingle;
        var manifest = serializer.Manifest(akkaSet);
        var jarvis = IterationSampler.Run(plan, () => jarvisSet, CrdtEncoding.Encode);
        var akka = IterationSampler.Run(plan, () => akkaSet, serializer.ToBinary);

        var jarvisBack = CrdtEncoding.Decode<JarvisORSet>(jarvis.Output);
        var akkaBack = (AkkaORSet)serializer.FromBinary(akka.Output, manifest);
        ResultAgreement.RequireSameElements(Name, jarvisBack.Elements, akkaBack.Elements, fixture.AllElements);

        var note = $"Akka's {akka.Output.Length:N0} B are its {Gunzip(akka.Output).Length:N0} B protobuf gzipped; "
            + $"Jarvis's {jarvis.Output.Length:N0} B are uncompressed (gzipped like Akka's: {Gzip(jarvis.Output).Length:N0} B)";
        return new ComparisonResult(Name, Description, jarvis.Median, akka.Median, jarvis.Output.Length, akka.Output.Length, note);
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }
        return compressed.ToArray();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        gzip.CopyTo(raw);
        return raw.ToArray();
    }
}
