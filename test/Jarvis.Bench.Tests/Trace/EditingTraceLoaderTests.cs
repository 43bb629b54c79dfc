using Jarvis.Bench.Trace;

namespace Jarvis.Bench.Tests.Trace;

public sealed class EditingTraceLoaderTests : IDisposable
{
    private readonly TraceFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_sequential_trace_loads_into_flat_patch_arrays(bool gzip)
    {
        var trace = EditingTraceLoader.Load(_files.Write("tiny-edit", Traces.Sequential(), gzip));

        Assert.Equal("tiny-edit", trace.Name);
        Assert.Equal(TraceKind.Sequential, trace.Kind);
        Assert.Equal("Hello, world!", trace.EndContent);
        Assert.Equal(1, trace.AgentCount);
        Assert.Equal(5, trace.TransactionCount);
        Assert.Equal(7, trace.PatchCount);
        Assert.Equal([0, 1, 5, 0, 5, 12, 13], trace.Positions);
        Assert.Equal([0, 0, 0, 1, 0, 0, 1], trace.DeleteCounts);
        Assert.Equal(["h", "ello", " world", "H", ",", "!!", ""], trace.Inserts);
        Assert.Equal([0, 1, 3, 4, 5, 7], trace.PatchStarts);
        Assert.Empty(trace.Parents);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_concurrent_trace_loads_with_its_agents_and_parents(bool gzip)
    {
        var trace = EditingTraceLoader.Load(_files.Write("typing", Traces.ConcurrentTyping("abcxyz!"), gzip));

        Assert.Equal(TraceKind.Concurrent, trace.Kind);
        Assert.Equal(2, trace.AgentCount);
        Assert.Equal(3, trace.TransactionCount);
        Assert.Equal([0, 1, 0], trace.Agents);
        Assert.Empty(trace.ParentsOf(0).ToArray());
        Assert.Empty(trace.ParentsOf(1).ToArray());
        Assert.Equal([0, 1], trace.ParentsOf(2).ToArray());
        Assert.Equal(["a", "bc", "xyz", "!"], trace.Inserts);
    }

    [Fact]
    public void Gzip_is_recognised_by_its_bytes_not_its_name()
    {
        var gzipped = _files.Write("renamed", Traces.Sequential(), gzip: true);
        var plainName = Path.ChangeExtension(gzipped, ".txt");
        File.Move(gzipped, plainName);

        Assert.Equal(7, EditingTraceLoader.Load(plainName).PatchCount);
    }

    [Theory]
    [InlineData("""{"txns": [""", "not valid JSON")]
    [InlineData("""[1, 2]""", "not a JSON object")]
    [InlineData("""{"endContent": "", "txns": {}}""", "\"txns\"")]
    [InlineData("""{"txns": []}""", "\"endContent\"")]
    [InlineData("""{"endContent": "", "txns": [{"patches": [[0, 0]]}]}""", "txn 0, patch 0")]
    [InlineData("""{"endContent": "", "txns": [{"patches": [[-1, 0, "a"]]}]}""", "txn 0, patch 0")]
    [InlineData("""{"endContent": "", "txns": [{"patches": [[0, 0, "a"]]}, {"patches": [[0, "1", ""]]}]}""", "txn 1, patch 0")]
    [InlineData("""{"endContent": "", "txns": [{}]}""", "txn 0: \"patches\"")]
    [InlineData("""{"kind": "branching", "endContent": "", "txns": []}""", "unknown \"kind\"")]
    [InlineData("""{"kind": "concurrent", "endContent": "", "txns": []}""", "\"numAgents\"")]
    [InlineData("""{"kind": "concurrent", "endContent": "", "numAgents": 1, "txns": [{"parents": [], "agent": 1, "patches": []}]}""", "txn 0: \"agent\"")]
    [InlineData("""{"kind": "concurrent", "endContent": "", "numAgents": 1, "txns": [{"parents": [0], "agent": 0, "patches": []}]}""", "not the index of an earlier transaction")]
    [InlineData("""{"kind": "concurrent", "endContent": "", "numAgents": 1, "txns": [{"agent": 0, "patches": []}]}""", "\"parents\"")]
    [InlineData("""{"endContent": "", "txns": [{"patches": [[0, 0, "\ud83d\ude00"]]}]}""", "Basic Multilingual Plane")]
    public void Malformed_input_is_a_TraceLoadException_naming_the_file_and_the_fault(string json, string expectedInMessage)
    {
        var path = _files.Write("malformed", json);

        var error = Assert.Throws<TraceLoadException>(() => EditingTraceLoader.Load(path));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_gzip_file_is_a_TraceLoadException()
    {
        var path = _files.Write("truncated", Traces.Sequential(), gzip: true);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        Assert.Throws<TraceLoadException>(() => EditingTraceLoader.Load(path));
    }

    [Fact]
    public void A_missing_file_is_a_TraceLoadException()
    {
        var error = Assert.Throws<TraceLoadException>(() => EditingTraceLoader.Load("/no/such/trace.json.gz"));

        Assert.Contains("cannot read", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/data/automerge-paper.json.gz", "automerge-paper")]
    [InlineData("friendsforever.json", "friendsforever")]
    [InlineData("seph-blog1.v2.json.gz", "seph-blog1.v2")]
    public void The_trace_name_is_the_file_name_without_json_and_gz(string path, string name) =>
        Assert.Equal(name, EditingTraceLoader.NameOf(path));
}
