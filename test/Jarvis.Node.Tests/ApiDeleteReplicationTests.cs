using System.Net;

namespace Jarvis.Node.Tests;

/// <summary>
/// A delete is a CRDT operation the nodes replicate: it removes what the deleting node had observed everywhere, and a
/// write made concurrently on a partitioned node, which it had not observed, survives the heal on both.
/// </summary>
public sealed class ApiDeleteReplicationTests
{
    [Fact]
    public async Task A_write_concurrent_with_a_delete_survives_it_and_what_the_deleter_saw_is_gone_everywhere()
    {
        await using var pair = await PartitionablePair.StartAsync("del");
        var (deleter, writer) = (pair.First, pair.Second);
        (await deleter.PutAsync("shared/set", "set", """{"op":"add","values":["seen-1","seen-2"]}""")).EnsureSuccessStatusCode();
        (await deleter.PutAsync("shared/text", "text", """{"op":"insert","index":0,"text":"seen"}""")).EnsureSuccessStatusCode();
        (await deleter.PutAsync("shared/map", "map", """{"op":"set","field":"seen","value":"1"}""")).EnsureSuccessStatusCode();
        (await deleter.PutAsync("shared/series", "timeseries", """{"op":"append","timestamp":0,"value":1}""")).EnsureSuccessStatusCode();
        (await deleter.PutAsync("shared/flag", "flag", """{"op":"enable"}""")).EnsureSuccessStatusCode();
        await pair.WaitConvergedAsync();

        pair.Partition();
        foreach (var key in new[] { "shared/set", "shared/text", "shared/map", "shared/series", "shared/flag" })
        {
            using var delete = await deleter.Client.DeleteAsync("v1/objects/" + key);
            Assert.True(delete.StatusCode == HttpStatusCode.OK, await delete.Content.ReadAsStringAsync());
        }
        (await writer.PutAsync("shared/set", "set", """{"op":"add","value":"unseen"}""")).EnsureSuccessStatusCode();
        (await writer.PutAsync("shared/text", "text", """{"op":"insert","index":4,"text":"+unseen"}""")).EnsureSuccessStatusCode();
        (await writer.PutAsync("shared/map", "map", """{"op":"set","field":"unseen","value":"2"}""")).EnsureSuccessStatusCode();
        (await writer.PutAsync("shared/series", "timeseries", """{"op":"append","timestamp":60000,"value":2}""")).EnsureSuccessStatusCode();
        (await writer.PutAsync("shared/flag", "flag", """{"op":"enable"}""")).EnsureSuccessStatusCode();
        pair.Heal();
        await pair.WaitConvergedAsync();

        foreach (var node in pair.Both)
        {
            Assert.Equal("""["unseen"]""", await ApiAssert.ValueAsync(node, "shared/set"));
            Assert.Equal("\"+unseen\"", await ApiAssert.ValueAsync(node, "shared/text"));
            Assert.Equal("""{"unseen":"2"}""", await ApiAssert.ValueAsync(node, "shared/map"));
            var series = System.Text.Json.Nodes.JsonNode.Parse((await ApiAssert.ValueAsync(node, "shared/series"))!)!;
            Assert.Equal(60000, Assert.Single(series["windows"]!.AsArray())!["start"]!.GetValue<long>());
            Assert.Equal("true", await ApiAssert.ValueAsync(node, "shared/flag"));
        }
    }

    [Fact]
    public async Task A_delete_at_majority_completes_once_the_peer_holds_it()
    {
        await using var pair = await PartitionablePair.StartAsync("delmaj");
        (await pair.First.PutAsync("m/set", "set", """{"op":"add","value":"x"}""", "&consistency=all")).EnsureSuccessStatusCode();

        using var delete = await pair.First.Client.DeleteAsync("v1/objects/m/set?consistency=all&timeoutMs=20000");

        Assert.True(delete.StatusCode == HttpStatusCode.OK, await delete.Content.ReadAsStringAsync());
        Assert.Null(await ApiAssert.ValueAsync(pair.Second, "m/set"));
        Assert.Empty(await ApiAssert.KeysAsync(pair.Second, "m/"));
    }
}
