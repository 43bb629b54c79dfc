using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests;

/// <summary>One node shared by the client API tests; each test uses keys of its own.</summary>
public sealed class ApiNodeFixture : IAsyncLifetime
{
    public TestNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await TestNode.StartAsync("api", o => o.MaxBodyBytes = 4096);

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>The client API of one node, in-process: every operation of every type, and every kind of bad input.</summary>
public sealed class ClientApiTests(ApiNodeFixture fixture) : IClassFixture<ApiNodeFixture>
{
    private readonly TestNode _node = fixture.Node;

    public static TheoryData<string, string[], string> Operations => new()
    {
        { "gcounter", ["""{"op":"increment","by":2}""", """{"op":"increment"}"""], "3" },
        { "pncounter", ["""{"op":"increment","by":5}""", """{"op":"decrement","by":7}"""], "-2" },
        { "register", ["""{"op":"set","value":"first"}""", """{"op":"set","value":"second"}"""], "\"second\"" },
        { "mvregister", ["""{"op":"set","value":"x"}""", """{"op":"set","value":"y"}"""], """["y"]""" },
        { "set", ["""{"op":"add","value":"b"}""", """{"op":"add","values":["c","a","d"]}""", """{"op":"remove","value":"d"}"""], """["a","b","c"]""" },
        { "flag", ["""{"op":"enable"}"""], "true" },
        { "map", ["""{"op":"set","field":"f","value":"1"}""", """{"op":"set","field":"g","value":"2"}""", """{"op":"remove","field":"f"}"""], """{"g":"2"}""" },
        { "text", ["""{"op":"insert","index":0,"text":"helo"}""", """{"op":"insert","index":3,"text":"l"}""", """{"op":"insert","index":5,"text":" world!"}""", """{"op":"delete","index":11,"length":1}"""], "\"hello world\"" },
        {
            "timeseries",
            ["""{"op":"append","timestamp":0,"value":1.5}""", """{"op":"append","timestamp":30000,"value":2.5}""", """{"op":"append","timestamp":60000,"value":4}""", """{"op":"append","timestamp":-60000,"value":9}""", """{"op":"downsample","before":60000}""", """{"op":"discard","before":0}"""],
            """{"windowMs":60000,"downsampledBefore":60000,"retainedFrom":0,"windows":[{"start":0,"count":2,"sum":4,"min":1.5,"max":2.5,"last":2.5},{"start":60000,"count":1,"sum":4,"min":4,"max":4,"last":4}]}"""
        },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_operation_of_every_type_round_trips(string type, string[] operations, string expected)
    {
        var key = $"ops/{type}-{operations.Length}";
        JsonObject? last = null;
        foreach (var operation in operations)
        {
            using var response = await _node.PutAsync(key, type, operation);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            last = await response.Content.ReadFromJsonAsync<JsonObject>();
            Assert.Equal("completed", last!["outcome"]!.GetValue<string>());
        }
        Assert.Equal(expected, last!["value"]!.ToJsonString());
        var read = await _node.GetJsonAsync($"v1/objects/{key}");
        Assert.Equal(key, read["key"]!.GetValue<string>());
        Assert.Equal(type, read["type"]!.GetValue<string>());
        Assert.Equal(expected, read["value"]!.ToJsonString());
        var majority = await _node.GetJsonAsync($"v1/objects/{key}?consistency=majority");
        Assert.Equal(expected, majority["value"]!.ToJsonString());
    }

    [Fact]
    public async Task A_register_never_written_reads_as_null_and_an_escaped_slash_is_a_slash()
    {
        using var response = await _node.PutAsync("users%2F42%2Fname", "register", """{"op":"set","value":"Ada"}""", "&consistency=majority&timeoutMs=1000");
        response.EnsureSuccessStatusCode();
        var read = await _node.GetJsonAsync("v1/objects/users/42/name");
        Assert.Equal("Ada", read["value"]!.GetValue<string>());
        Assert.Equal("users/42/name", read["key"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string, string?, HttpStatusCode, string> BadWrites => new()
    {
        { "k", "nope", """{"op":"set","value":"v"}""", null, HttpStatusCode.BadRequest, "Unknown type" },
        { "k", "", """{"op":"set","value":"v"}""", null, HttpStatusCode.BadRequest, "Missing type" },
        { "%24dollar", "register", """{"op":"set","value":"v"}""", null, HttpStatusCode.BadRequest, "Malformed key" },
        { "%2Fleading", "register", """{"op":"set","value":"v"}""", null, HttpStatusCode.BadRequest, "Malformed key" },
        { "a%2F..%2Fb", "register", """{"op":"set","value":"v"}""", null, HttpStatusCode.BadRequest, "Malformed key" },
        { "with%20space", "register", """{"op":"set","value":"v"}""", null, HttpStatusCode.BadRequest, "Malformed key" },
        { "caf%C3%A9", "register", """{"op":"set","value":"v"}""", null, HttpStatusCode.BadRequest, "Malformed key" },
        { new string('k', 513), "register", """{"op":"set","value":"v"}""", null, HttpStatusCode.BadRequest, "Malformed key" },
        { "k", "register", """{"op":"set","value":""", null, HttpStatusCode.BadRequest, "Bad JSON" },
        { "k", "register", "", null, HttpStatusCode.BadRequest, "Bad JSON" },
        { "k", "register", """["set"]""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "register", """{"op":"explode","value":"v"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "register", """{"op":"set","value":7}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "register", """{"value":"v"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "gcounter", """{"op":"decrement","by":1}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "gcounter", """{"op":"increment","by":0}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "gcounter", """{"op":"increment","by":-3}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "pncounter", """{"op":"increment","by":1.5}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "pncounter", """{"op":"increment","by":"2"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "set", """{"op":"add"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "set", """{"op":"add","values":[]}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "set", """{"op":"add","values":["a",1]}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "set", """{"op":"add","value":"a","values":["b"]}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "flag", """{"op":"toggle"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "map", """{"op":"set","field":"f"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "map", """{"op":"remove"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "mvregister", """{"op":"set"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "text", """{"op":"insert","text":"a"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "text", """{"op":"insert","index":-1,"text":"a"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "text", """{"op":"delete","index":0}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "text", """{"op":"insert","index":1,"text":"a"}""", null, (HttpStatusCode)422, "Position out of range" },
        { "k", "text", """{"op":"delete","index":0,"length":1}""", null, (HttpStatusCode)422, "Position out of range" },
        { "k", "timeseries", """{"op":"append","value":1}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "timeseries", """{"op":"append","timestamp":1.5,"value":1}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "timeseries", """{"op":"append","timestamp":4611686018427387904,"value":1}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "timeseries", """{"op":"append","timestamp":0,"value":"1"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "timeseries", """{"op":"append","timestamp":0}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "timeseries", """{"op":"downsample"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "timeseries", """{"op":"trim","before":0}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "workflow", """{"op":"transition","to":"review"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "workflow", """{"op":"transition","to":"nowhere","definition":{"name":"w","states":["a","b"],"transitions":[["a","b"]]}}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "workflow", """{"op":"transition","to":"a","definition":{"name":"w","states":["a","b"],"transitions":[["b","a"]]}}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "workflow", """{"op":"transition","to":"b","definition":{"name":"w","states":["a","b"],"transitions":[["a"]]}}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "workflow", """{"op":"skip","to":"b"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "ballot", """{"op":"open","voters":[]}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "ballot", """{"op":"open","voters":["not-an-id"]}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "ballot", """{"op":"open","voters":["0000000000000001"],"rule":"plurality"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "ballot", """{"op":"open","voters":["0000000000000001","0000000000000002"],"rule":"k-of-n","k":1}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "ballot", """{"op":"vote"}""", null, HttpStatusCode.BadRequest, "Bad operation" },
        { "k", "ballot", """{"op":"vote","option":"yes"}""", null, HttpStatusCode.Conflict, "Refused by the object" },
        { "k", "register", """{"op":"set","value":"v"}""", "&consistency=quorum", HttpStatusCode.BadRequest, "Bad consistency" },
        { "k", "register", """{"op":"set","value":"v"}""", "&timeoutMs=0", HttpStatusCode.BadRequest, "Bad timeout" },
        { "k", "register", """{"op":"set","value":"v"}""", "&timeoutMs=soon", HttpStatusCode.BadRequest, "Bad timeout" },
        { "k", "register", "{\"op\":\"set\",\"value\":\"" + new string('v', 5000) + "\"}", null, HttpStatusCode.RequestEntityTooLarge, "Body too large" },
    };

    [Theory]
    [MemberData(nameof(BadWrites))]
    public async Task A_bad_write_is_refused_with_a_problem_and_stores_nothing(string key, string type, string body, string? query, HttpStatusCode status, string title)
    {
        var before = await SequenceAsync();
        using var response = await _node.PutAsync(key, type, body, query ?? "");
        await AssertProblemAsync(response, status, title);
        await AssertNothingStoredAsync(before);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused()
    {
        var before = await SequenceAsync();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"op\":\"set\",\"value\":\"" + new string('v', 8000) + "\"}")));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "v1/objects/k?type=register") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _node.Client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "Body too large");
        await AssertNothingStoredAsync(before);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_as_unsupported()
    {
        var before = await SequenceAsync();
        using var response = await _node.Client.PutAsync("v1/objects/k?type=register", new StringContent("""{"op":"set","value":"v"}""", Encoding.UTF8, "text/plain"));
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Not JSON");
        await AssertNothingStoredAsync(before);
    }

    [Fact]
    public async Task A_write_of_another_type_to_an_existing_key_conflicts_and_changes_nothing()
    {
        (await _node.PutAsync("conflict/typed", "gcounter", """{"op":"increment","by":4}""")).EnsureSuccessStatusCode();
        var digest = await _node.DigestAsync();
        using var response = await _node.PutAsync("conflict/typed", "set", """{"op":"add","value":"x"}""");
        await AssertProblemAsync(response, HttpStatusCode.Conflict, "Type conflict");
        var read = await _node.GetJsonAsync("v1/objects/conflict/typed");
        Assert.Equal("gcounter", read["type"]!.GetValue<string>());
        Assert.Equal(4, read["value"]!.GetValue<int>());
        Assert.Equal(digest, await _node.DigestAsync());
    }

    [Fact]
    public async Task Reading_a_missing_key_is_a_404_problem()
    {
        using var response = await _node.Client.GetAsync("v1/objects/missing");
        await AssertProblemAsync(response, HttpStatusCode.NotFound, "Not found");
        using var malformed = await _node.Client.GetAsync("v1/objects/%24bad");
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "Malformed key");
        using var badConsistency = await _node.Client.GetAsync("v1/objects/k?consistency=some");
        await AssertProblemAsync(badConsistency, HttpStatusCode.BadRequest, "Bad consistency");
    }

    [Fact]
    public async Task Keys_are_listed_sorted_by_prefix_with_a_limit()
    {
        foreach (var key in new[] { "list/b/2", "list/a/1", "list/b/1", "list/b/3", "list/c" })
        {
            (await _node.PutAsync(key, "flag", """{"op":"enable"}""")).EnsureSuccessStatusCode();
        }
        var all = await _node.GetJsonAsync("v1/keys?prefix=list/");
        Assert.Equal(["list/a/1", "list/b/1", "list/b/2", "list/b/3", "list/c"], all["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.False(all["truncated"]!.GetValue<bool>());
        var some = await _node.GetJsonAsync("v1/keys?prefix=list/b/&limit=2");
        Assert.Equal(["list/b/1", "list/b/2"], some["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.True(some["truncated"]!.GetValue<bool>());
        using var bad = await _node.Client.GetAsync("v1/keys?limit=10001");
        await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "Bad limit");
    }

    [Fact]
    public async Task A_watcher_receives_changes_under_its_prefix_only()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/watch?prefix=watched/");
        using var response = await _node.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await _node.PutAsync("other", "gcounter", """{"op":"increment"}""")).EnsureSuccessStatusCode();
        (await _node.PutAsync("watched/x", "gcounter", """{"op":"increment","by":9}""")).EnsureSuccessStatusCode();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? data = null;
        string? eventName = null;
        while (data is null)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the stream ended");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }
        Assert.Equal("change", eventName);
        var change = JsonNode.Parse(data)!.AsObject();
        Assert.Equal("watched/x", change["key"]!.GetValue<string>());
        Assert.Equal("gcounter", change["type"]!.GetValue<string>());
        Assert.Equal(9, change["value"]!.GetValue<int>());
        Assert.True(change["local"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Status_digest_health_and_metrics_describe_the_node()
    {
        Assert.Equal("ok", await _node.Client.GetStringAsync("healthz"));
        using (var ready = await _node.Client.GetAsync("readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        var before = await _node.GetJsonAsync("v1/digest");
        (await _node.PutAsync("status/x", "gcounter", """{"op":"increment"}""")).EnsureSuccessStatusCode();
        var digest = await _node.GetJsonAsync("v1/digest");
        Assert.NotEqual(before["root"]!.GetValue<string>(), digest["root"]!.GetValue<string>());
        Assert.Equal(before["keys"]!.GetValue<int>() + 1, digest["keys"]!.GetValue<int>());

        var status = await _node.GetJsonAsync("v1/status");
        Assert.Equal("api", status["name"]!.GetValue<string>());
        Assert.True(Jarvis.Crdt.ReplicaId.TryParse(status["replicaId"]!.GetValue<string>(), null, out _), "the status names the replica id the node writes under");
        Assert.True(status["ready"]!.GetValue<bool>());
        var self = Assert.Single(status["members"]!.AsArray());
        Assert.Equal("up", self!["status"]!.GetValue<string>());
        Assert.Equal(_node.PeerAddress, self["address"]!.GetValue<string>());
        Assert.Empty(status["peers"]!.AsArray());
        Assert.Equal(digest["keys"]!.GetValue<int>(), status["keys"]!.GetValue<int>());
        Assert.True(status["durableSequence"]!.GetValue<long>() >= 1, "a completed write is durable");
        Assert.NotNull(status["deltaBuffer"]!["bytes"]);

        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            var metrics = await _node.Client.GetStringAsync("metrics");
            return new[]
            {
                "jarvis_delta_buffer_deltas", "jarvis_delta_buffer_bytes", "jarvis_bytes_sent_total", "jarvis_bytes_received_total",
                "jarvis_write_duration_seconds_bucket", "jarvis_members{", "status=\"up\"",
            }.All(name => metrics.Contains(name, StringComparison.Ordinal));
        }), "every metric of the contract is exported");
    }

    [Fact]
    public async Task The_peer_service_is_not_served_on_the_client_port_and_unknown_paths_are_problems()
    {
        using var grpcPath = await _node.Client.PostAsync("jarvis.peer.v1.PeerLink/Connect", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.NotFound, grpcPath.StatusCode);
        using var unknown = await _node.Client.GetAsync("v2/nothing");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "Not found");
    }

    private const string ReviewDefinition = """{"name":"review","states":["draft","review","approved","rejected"],"transitions":[["draft","review"],["review","approved"],["review","rejected"]]}""";

    [Fact]
    public async Task A_workflow_moves_forward_by_its_definition_and_a_refused_move_stores_nothing()
    {
        using (var first = await _node.PutAsync("flows/doc-1", "workflow", $$"""{"op":"transition","to":"review","definition":{{ReviewDefinition}}}"""))
        {
            Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
            var value = (await first.Content.ReadFromJsonAsync<JsonObject>())!["value"]!;
            Assert.Equal("review", value["state"]!.GetValue<string>());
            Assert.Equal("""["approved","rejected"]""", value["next"]!.ToJsonString());
        }
        using (var second = await _node.PutAsync("flows/doc-1", "workflow", $$"""{"op":"transition","to":"approved","definition":{{ReviewDefinition}}}"""))
        {
            second.EnsureSuccessStatusCode();
        }
        var before = await SequenceAsync();

        using var backwards = await _node.PutAsync("flows/doc-1", "workflow", $$"""{"op":"transition","to":"rejected","definition":{{ReviewDefinition}}}""");
        await AssertProblemAsync(backwards, HttpStatusCode.Conflict, "Refused by the object");
        var other = ReviewDefinition.Replace("\"review\",\"states\"", "\"other\",\"states\"", StringComparison.Ordinal);
        using var another = await _node.PutAsync("flows/doc-1", "workflow", $$"""{"op":"transition","to":"review","definition":{{other}}}""");
        await AssertProblemAsync(another, HttpStatusCode.Conflict, "Refused by the object");

        Assert.Equal(before, await SequenceAsync());
        var read = await _node.GetJsonAsync("v1/objects/flows/doc-1");
        Assert.Equal("approved", read["value"]!["state"]!.GetValue<string>());
        Assert.True(read["value"]!["final"]!.GetValue<bool>());
        Assert.Equal(2, read["value"]!["history"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_ballot_opened_over_http_decides_once_and_refuses_a_second_vote()
    {
        var me = (await _node.GetJsonAsync("v1/status"))["replicaId"]!.GetValue<string>();
        using (var open = await _node.PutAsync("votes/q1", "ballot", $$"""{"op":"open","voters":["{{me}}"],"rule":"unanimity"}"""))
        {
            Assert.True(open.StatusCode == HttpStatusCode.OK, await open.Content.ReadAsStringAsync());
            Assert.Equal("undecided", (await open.Content.ReadFromJsonAsync<JsonObject>())!["value"]!["decision"]!.GetValue<string>());
        }
        using (var vote = await _node.PutAsync("votes/q1", "ballot", """{"op":"vote","option":"ship"}"""))
        {
            vote.EnsureSuccessStatusCode();
            var value = (await vote.Content.ReadFromJsonAsync<JsonObject>())!["value"]!;
            Assert.Equal("decided", value["decision"]!.GetValue<string>());
            Assert.Equal("ship", value["option"]!.GetValue<string>());
            Assert.Equal("ship", value["votes"]![me]!.GetValue<string>());
        }
        var before = await SequenceAsync();

        using var again = await _node.PutAsync("votes/q1", "ballot", """{"op":"vote","option":"wait"}""");
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "Refused by the object");
        using var unopened = await _node.PutAsync("votes/never-opened", "ballot", """{"op":"vote","option":"ship"}""");
        await AssertProblemAsync(unopened, HttpStatusCode.Conflict, "Refused by the object");

        Assert.Equal(before, await SequenceAsync());
        var keys = (await _node.GetJsonAsync("v1/keys?prefix=votes/"))["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        Assert.Equal(["votes/q1"], keys);
        Assert.Equal("ship", (await _node.GetJsonAsync("v1/objects/votes/q1"))["value"]!["option"]!.GetValue<string>());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(title, problem["title"]!.GetValue<string>());
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()), "a problem explains itself");
        Assert.False(string.IsNullOrWhiteSpace(problem["type"]?.GetValue<string>()), "a problem has a type");
    }

    private async Task<long> SequenceAsync() => (await _node.GetJsonAsync("v1/status"))["lastSequence"]!.GetValue<long>();

    /// <summary>No key of the refused requests exists and the log did not advance.</summary>
    private async Task AssertNothingStoredAsync(long sequenceBefore)
    {
        var keys = (await _node.GetJsonAsync("v1/keys"))["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        Assert.DoesNotContain("k", keys);
        Assert.DoesNotContain(keys, k => k.Contains("leading", StringComparison.Ordinal) || k.Contains("dollar", StringComparison.Ordinal) || k.StartsWith("a/", StringComparison.Ordinal));
        Assert.Equal(sequenceBefore, await SequenceAsync());
    }
}
