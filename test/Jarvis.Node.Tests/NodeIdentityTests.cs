using System.Net;
using System.Text.Json.Nodes;
using Jarvis.Crdt;
using Jarvis.Node.Internal;
using Jarvis.Replication.Membership;

namespace Jarvis.Node.Tests;

/// <summary>A node's replica identity (one per storage lifetime), leaving on a graceful stop, and removing members that are down.</summary>
public sealed class NodeIdentityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("jarvis-identity-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_restart_on_the_same_data_folder_keeps_the_replica_id_and_a_lost_folder_means_a_new_one()
    {
        var data = Path.Combine(_folder, "data");
        string first;
        await using (var node = await TestNode.StartAsync("node-1", dataDirectory: data))
        {
            first = await ReplicaIdAsync(node);
        }
        await using (var node = await TestNode.StartAsync("node-1", dataDirectory: data))
        {
            Assert.Equal(first, await ReplicaIdAsync(node));
        }
        Directory.Delete(data, recursive: true);
        await using (var node = await TestNode.StartAsync("node-1", dataDirectory: data))
        {
            Assert.NotEqual(first, await ReplicaIdAsync(node));
            Assert.NotEqual(ReplicaId.FromName("node-1").ToString(), first);
        }
    }

    [Fact]
    public async Task A_node_stopped_gracefully_leaves_and_its_next_start_joins_as_a_new_member_with_its_data()
    {
        await using var first = await TestNode.StartAsync("node-1");
        await using var second = await TestNode.StartAsync("node-2", o => o.Seeds.Add(first.PeerAddress));
        var data = Path.Combine(_folder, "node-3");
        var third = await TestNode.StartAsync("node-3", o => o.Seeds.Add(first.PeerAddress), data);
        string leaver;
        try
        {
            Assert.True(await Eventually.HoldsAsync(async () => await MemberCountAsync(first, "up") == 3), "three members up");
            (await third.PutAsync("kept/set", "set", """{"op":"add","value":"written-by-node-3"}""")).EnsureSuccessStatusCode();
            leaver = await ReplicaIdAsync(third);
        }
        finally
        {
            await third.DisposeAsync();
        }
        Assert.True(third.Logs.Entries.Any(e => e.Message.StartsWith("Left the cluster after", StringComparison.Ordinal)), "a graceful stop leaves the cluster; node-3 logged:\n" + string.Join("\n", third.Logs.Entries.Select(e => $"{e.Level} {e.Message}")));
        foreach (var node in new[] { first, second })
        {
            var status = await node.GetJsonAsync("v1/status");
            var entry = status["members"]!.AsArray().Single(m => m!["replicaId"]!.GetValue<string>() == leaver)!;
            Assert.Contains(entry["status"]!.GetValue<string>(), new[] { "left", "retired" });
            Assert.Equal(2, status["membership"]!["quorum"]!["members"]!.GetValue<int>());
        }
        using (var all = await first.PutAsync("after/leave", "gcounter", """{"op":"increment"}""", "&consistency=all&timeoutMs=5000"))
        {
            Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        }

        await using var back = await TestNode.StartAsync("node-3", o => o.Seeds.Add(first.PeerAddress), data);
        var successor = await ReplicaIdAsync(back);
        Assert.NotEqual(leaver, successor);
        Assert.True(await Eventually.HoldsAsync(async () => (await back.Client.GetAsync("readyz")).IsSuccessStatusCode), "the node rejoins as a new member");
        Assert.True(await Eventually.HoldsAsync(async () => await first.DigestAsync() == await back.DigestAsync() && await second.DigestAsync() == await back.DigestAsync()), "the cluster converges");
        Assert.Contains("written-by-node-3", (await first.GetJsonAsync("v1/objects/kept/set"))["value"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(3, (await first.GetJsonAsync("v1/status"))["membership"]!["quorum"]!["members"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_member_is_removed_only_once_it_is_down()
    {
        await using var first = await TestNode.StartAsync("node-1");
        await using var second = await TestNode.StartAsync("node-2", o => o.Seeds.Add(first.PeerAddress));
        var third = await TestNode.StartAsync("node-3", o =>
        {
            o.Seeds.Add(first.PeerAddress);
            o.LeaveOnStop = false;
        });
        try
        {
            Assert.True(await Eventually.HoldsAsync(async () => await MemberCountAsync(first, "up") == 3), "three members up");
            using (var live = await first.Client.DeleteAsync("v1/members/node-3"))
            {
                Assert.Equal(HttpStatusCode.Conflict, live.StatusCode);
                Assert.Contains("only a member that is down can be removed", await live.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            using (var self = await first.Client.DeleteAsync("v1/members/node-1"))
            {
                Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
            }
            using (var unknown = await first.Client.DeleteAsync("v1/members/node-9"))
            {
                Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            }
        }
        finally
        {
            // Stopped without leaving: to the others it is simply gone.
            await third.DisposeAsync();
        }
        Assert.True(await Eventually.HoldsAsync(async () => await MemberCountAsync(first, "down") == 1), "the stopped node is down");
        Assert.Equal(3, (await first.GetJsonAsync("v1/status"))["membership"]!["quorum"]!["members"]!.GetValue<int>());

        using (var removed = await first.Client.DeleteAsync("v1/members/node-3"))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }
        Assert.Equal(2, (await first.GetJsonAsync("v1/status"))["membership"]!["quorum"]!["members"]!.GetValue<int>());
        Assert.True(await Eventually.HoldsAsync(async () => await MemberCountAsync(second, "left") == 1), "the removal reaches the other member by gossip");
        Assert.Contains(first.Logs.Entries, e => e.Message.StartsWith("Removed member node-3", StringComparison.Ordinal));
    }

    [Fact]
    public void A_name_held_by_a_live_replica_cannot_be_claimed_by_another_and_a_down_one_is_replaced()
    {
        var (a, b, c) = (new ReplicaId(0xA), new ReplicaId(0xB), new ReplicaId(0xC));
        MemberEntry Member(ReplicaId id, string name, MemberStatus status) => new(id, status, 1, $"{name}@127.0.0.1:1");
        string? NameOf(MemberEntry m) => m.Address.Split('@')[0];

        var up = NameClaim.Judge([Member(a, "n1", MemberStatus.Up), Member(b, "n2", MemberStatus.Up)], NameOf, "n2", c);
        Assert.False(up.Accepted);
        Assert.Equal(b, up.Holder!.Id);
        Assert.False(NameClaim.Judge([Member(b, "n2", MemberStatus.Suspect)], NameOf, "n2", c).Accepted, "a suspected holder is still live");
        Assert.False(NameClaim.Judge([Member(a, "n1", MemberStatus.Up)], NameOf, "n1", c).Accepted, "nobody may claim this node's own name");

        var down = NameClaim.Judge([Member(a, "n1", MemberStatus.Up), Member(b, "n2", MemberStatus.Down)], NameOf, "n2", c);
        Assert.True(down.Accepted);
        Assert.Equal([b], down.Replaced.Select(m => m.Id));

        Assert.True(NameClaim.Judge([Member(b, "n2", MemberStatus.Up)], NameOf, "n2", b).Accepted, "the holder itself");
        Assert.True(NameClaim.Judge([Member(b, "n2", MemberStatus.Left), Member(c, "n2", MemberStatus.Up)], NameOf, "n2", b).Accepted, "a departed replica is let in to learn it departed");
        Assert.True(NameClaim.Judge([Member(b, "n2", MemberStatus.Left)], NameOf, "n2", c).Accepted, "a departed holder holds nothing");
    }

    private static async Task<string> ReplicaIdAsync(TestNode node) => (await node.GetJsonAsync("v1/status"))["replicaId"]!.GetValue<string>();

    private static async Task<int> MemberCountAsync(TestNode node, string status)
        => (await node.GetJsonAsync("v1/status"))["members"]!.AsArray().Count(m => m!["status"]!.GetValue<string>() == status);
}
