using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests;

/// <summary>
/// <c>DELETE /v1/objects/{key}</c>: the observed-remove of the object, replicated like any write. What the node had
/// observed is removed; what it had not (a concurrent write elsewhere) survives. An object with no value reads as
/// absent (404) and is not listed; types with no sound removal are a 409 that says why.
/// </summary>
public sealed class ApiDeleteTests(ApiNodeFixture fixture) : IClassFixture<ApiNodeFixture>
{
    private const string Definition = """{"name":"review","states":["draft","review","done"],"transitions":[["draft","review"],["review","done"]]}""";
    private readonly TestNode _node = fixture.Node;

    public static TheoryData<string, string, string> Deletable => new()
    {
        { "mvregister", """{"op":"set","value":"x"}""", """{"op":"set","value":"y"}""" },
        { "set", """{"op":"add","values":["a","b"]}""", """{"op":"add","value":"c"}""" },
        { "flag", """{"op":"enable"}""", """{"op":"enable"}""" },
        { "map", """{"op":"set","field":"f","value":"1"}""", """{"op":"set","field":"g","value":"2"}""" },
        { "text", """{"op":"insert","index":0,"text":"hello"}""", """{"op":"insert","index":0,"text":"again"}""" },
        { "timeseries", """{"op":"append","timestamp":0,"value":1}""", """{"op":"append","timestamp":60000,"value":2}""" },
        { "workflow", $$"""{"op":"transition","to":"review","definition":{{Definition}}}""", $$"""{"op":"transition","to":"review","definition":{{Definition}}}""" },
    };

    [Theory]
    [MemberData(nameof(Deletable))]
    public async Task A_deleted_object_reads_as_absent_is_not_listed_and_a_later_write_starts_it_again(string type, string write, string rewrite)
    {
        var key = $"deleted/{type}";
        (await _node.PutAsync(key, type, write)).EnsureSuccessStatusCode();
        Assert.Contains(key, await ApiAssert.KeysAsync(_node, "deleted/"));

        using var delete = await _node.Client.DeleteAsync("v1/objects/" + key);

        Assert.True(delete.StatusCode == HttpStatusCode.OK, await delete.Content.ReadAsStringAsync());
        var answer = (await delete.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(key, answer["key"]!.GetValue<string>());
        Assert.Equal(type, answer["type"]!.GetValue<string>());
        Assert.Equal("completed", answer["outcome"]!.GetValue<string>());
        Assert.Null(await ApiAssert.ValueAsync(_node, key));
        Assert.DoesNotContain(key, await ApiAssert.KeysAsync(_node, "deleted/"));
        using var again = await _node.Client.DeleteAsync("v1/objects/" + key);
        await ApiAssert.ProblemAsync(again, HttpStatusCode.NotFound, "Not found");

        using var rewritten = await _node.PutAsync(key, type, rewrite);
        Assert.True(rewritten.StatusCode == HttpStatusCode.OK, await rewritten.Content.ReadAsStringAsync());
        Assert.NotNull(await ApiAssert.ValueAsync(_node, key));
        var (otherType, otherWrite) = type == "set" ? ("gcounter", """{"op":"increment"}""") : ("set", """{"op":"add","value":"x"}""");
        using var retyped = await _node.PutAsync(key, otherType, otherWrite);
        await ApiAssert.ProblemAsync(retyped, HttpStatusCode.Conflict, "Type conflict");
    }

    [Fact]
    public async Task A_deleted_workflow_starts_again_from_its_initial_state()
    {
        (await _node.PutAsync("deleted/flow", "workflow", $$"""{"op":"transition","to":"review","definition":{{Definition}}}""")).EnsureSuccessStatusCode();
        (await _node.PutAsync("deleted/flow", "workflow", $$"""{"op":"transition","to":"done","definition":{{Definition}}}""")).EnsureSuccessStatusCode();
        (await _node.Client.DeleteAsync("v1/objects/deleted/flow")).EnsureSuccessStatusCode();

        using var moved = await _node.PutAsync("deleted/flow", "workflow", $$"""{"op":"transition","to":"review","definition":{{Definition}}}""");

        Assert.True(moved.StatusCode == HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        var value = (await moved.Content.ReadFromJsonAsync<JsonObject>())!["value"]!;
        Assert.Equal("review", value["state"]!.GetValue<string>());
        Assert.Single(value["history"]!.AsArray());
    }

    public static TheoryData<string, string> Undeletable => new()
    {
        { "gcounter", """{"op":"increment","by":3}""" },
        { "pncounter", """{"op":"decrement","by":3}""" },
        { "register", """{"op":"set","value":"v"}""" },
    };

    [Theory]
    [MemberData(nameof(Undeletable))]
    public async Task A_type_with_no_observed_remove_cannot_be_deleted_and_keeps_its_value(string type, string write)
    {
        var key = $"kept/{type}";
        (await _node.PutAsync(key, type, write)).EnsureSuccessStatusCode();
        var value = await ApiAssert.ValueAsync(_node, key);
        var before = await ApiAssert.SequenceAsync(_node);

        using var delete = await _node.Client.DeleteAsync("v1/objects/" + key);

        await ApiAssert.ProblemAsync(delete, HttpStatusCode.Conflict, "Cannot delete");
        Assert.Equal(before, await ApiAssert.SequenceAsync(_node));
        Assert.Equal(value, await ApiAssert.ValueAsync(_node, key));
    }

    [Fact]
    public async Task A_ballot_cannot_be_deleted()
    {
        var me = (await _node.GetJsonAsync("v1/status"))["replicaId"]!.GetValue<string>();
        (await _node.PutAsync("kept/ballot", "ballot", $$"""{"op":"open","voters":["{{me}}"]}""")).EnsureSuccessStatusCode();

        using var delete = await _node.Client.DeleteAsync("v1/objects/kept/ballot");

        await ApiAssert.ProblemAsync(delete, HttpStatusCode.Conflict, "Cannot delete");
        Assert.NotNull(await ApiAssert.ValueAsync(_node, "kept/ballot"));
    }

    [Fact]
    public async Task Deleting_a_key_that_was_never_written_is_a_404_and_bad_requests_are_problems()
    {
        using var missing = await _node.Client.DeleteAsync("v1/objects/never/written");
        await ApiAssert.ProblemAsync(missing, HttpStatusCode.NotFound, "Not found");
        using var badConsistency = await _node.Client.DeleteAsync("v1/objects/never/written?consistency=most");
        await ApiAssert.ProblemAsync(badConsistency, HttpStatusCode.BadRequest, "Bad consistency");
        using var badKey = await _node.Client.DeleteAsync("v1/objects/%24x");
        await ApiAssert.ProblemAsync(badKey, HttpStatusCode.BadRequest, "Malformed key");
        using var unknown = await _node.Client.DeleteAsync("v1/objects/never/written?type=set");
        await ApiAssert.ProblemAsync(unknown, HttpStatusCode.BadRequest, "Unknown parameter");
    }

    [Fact]
    public async Task Removing_every_element_leaves_an_object_with_no_value()
    {
        using (var added = await _node.PutAsync("emptied/set", "set", """{"op":"add","value":"only"}"""))
        {
            added.EnsureSuccessStatusCode();
        }
        using var removed = await _node.PutAsync("emptied/set", "set", """{"op":"remove","value":"only"}""");

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Null((await removed.Content.ReadFromJsonAsync<JsonObject>())!["value"]);
        Assert.Null(await ApiAssert.ValueAsync(_node, "emptied/set"));
        Assert.Empty(await ApiAssert.KeysAsync(_node, "emptied/"));
    }

    [Fact]
    public async Task A_watcher_sees_a_delete_as_a_change_to_no_value()
    {
        (await _node.PutAsync("watched-delete/s", "set", """{"op":"add","value":"x"}""")).EnsureSuccessStatusCode();
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/watch?prefix=watched-delete/");
        using var response = await _node.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": watching", await reader.ReadLineAsync());

        (await _node.Client.DeleteAsync("v1/objects/watched-delete/s")).EnsureSuccessStatusCode();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line;
        do
        {
            line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the stream ended");
        }
        while (!line.StartsWith("data: ", StringComparison.Ordinal));
        var change = JsonNode.Parse(line["data: ".Length..])!.AsObject();
        Assert.Equal("watched-delete/s", change["key"]!.GetValue<string>());
        Assert.Null(change["value"]);
    }

    [Fact]
    public async Task A_delete_survives_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("jarvis-delete-restart-").FullName;
        try
        {
            await using (var node = await TestNode.StartAsync("restarted", dataDirectory: folder))
            {
                (await node.PutAsync("gone", "set", """{"op":"add","value":"x"}""")).EnsureSuccessStatusCode();
                (await node.PutAsync("stays", "set", """{"op":"add","value":"y"}""")).EnsureSuccessStatusCode();
                (await node.Client.DeleteAsync("v1/objects/gone")).EnsureSuccessStatusCode();
            }
            await using var restarted = await TestNode.StartAsync("restarted", dataDirectory: folder);

            Assert.Null(await ApiAssert.ValueAsync(restarted, "gone"));
            Assert.Equal(["stays"], await ApiAssert.KeysAsync(restarted));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
