using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Jarvis.Cli.Internal;
using Jarvis.Node;

namespace Jarvis.Cluster.Tests;

/// <summary>
/// Who is a member, through real node processes: a node that lost its data folder comes back as a new member
/// and loses nothing, a second process holding a member's certificate is refused, SIGTERM leaves the cluster,
/// and `jarvis member remove` removes a node that is down.
/// </summary>
public sealed class MembershipTests
{
    [Fact]
    public async Task A_node_restarted_on_a_wiped_data_folder_joins_as_a_new_member_and_no_acknowledged_write_is_lost()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        const int wiped = 2;
        Assert.True(await cluster.TryWriteAsync(wiped, "w/ctr", "gcounter", TestCluster.Increment(10)), "+10 on node 3");
        Assert.True(await cluster.TryWriteAsync(wiped, "w/set", "set", TestCluster.Add("before")), "'before' on node 3");
        await TestCluster.WaitUntilAsync(
            async () => await cluster.CounterAsync(0, "w/ctr") == 10 && await cluster.CounterAsync(1, "w/ctr") == 10 && await cluster.HasElementAsync(0, "w/set", "before") && await cluster.HasElementAsync(1, "w/set", "before"),
            "nodes 1 and 2 hold node 3's writes");
        var previous = await cluster.ReplicaIdAsync(wiped);

        await cluster.Nodes[wiped].KillAsync();
        Directory.Delete(cluster.Nodes[wiped].Spec.DataDirectory, recursive: true);
        await cluster.Cluster.RestartAsync(cluster.Nodes[wiped]);
        await TestCluster.WaitUntilAsync(() => cluster.IsServingAsync(wiped), "the wiped node serves its client API");
        Assert.False(await cluster.Client(wiped).IsReadyAsync(CancellationToken.None), "the wiped node is not ready while its previous replica is still live to the others");
        Assert.True(await cluster.TryWriteAsync(wiped, "w/ctr", "gcounter", TestCluster.Increment(3)), "+3 on the wiped node, at once");
        Assert.True(await cluster.TryWriteAsync(wiped, "w/set", "set", TestCluster.Add("after-wipe")), "'after-wipe' on the wiped node, at once");
        var successor = await cluster.ReplicaIdAsync(wiped);

        await cluster.WaitConvergedAsync();
        var failures = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var counter = await cluster.CounterAsync(i, "w/ctr");
            var set = await cluster.SetAsync(i, "w/set");
            if (counter != 13 || !set.SequenceEqual(["after-wipe", "before"]))
            {
                failures.Add($"node {i + 1}: w/ctr {counter}, w/set [{string.Join(", ", set)}]");
            }
        }
        Assert.True(failures.Count == 0, "every acknowledged write, before and after the wipe, is on every node: " + string.Join("; ", failures));
        Assert.NotEqual(previous, successor);
        await TestCluster.WaitUntilAsync(async () => await cluster.Client(wiped).IsReadyAsync(CancellationToken.None), "the wiped node becomes ready as a new member");
        Assert.Equal("left", await cluster.MemberStatusAsync(0, previous));
        Assert.Equal("up", await cluster.MemberStatusAsync(0, successor));
        Assert.True(
            cluster.Log(0).Contains($"Node node-3 is back as replica {successor} (new storage); its previous replica {previous}, Down, is removed from the cluster", StringComparison.Ordinal)
                || cluster.Log(1).Contains($"Node node-3 is back as replica {successor} (new storage); its previous replica {previous}, Down, is removed from the cluster", StringComparison.Ordinal),
            "a member logs the replacement");
        Assert.Contains("The data folder holds no identity (new or lost): writing as a new replica " + successor, cluster.Log(wiped), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_process_holding_a_members_certificate_is_refused_and_says_why()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var genuine = await cluster.ReplicaIdAsync(1);
        // The same name, a certificate of its own from the same authority: the name is bound to a certificate, and
        // two processes hold one.
        var certificates = Path.Combine(cluster.Cluster.Directory, "impostor-certs");
        Directory.CreateDirectory(certificates);
        foreach (var file in new[] { ClusterCertificates.AuthorityCertificateFile, ClusterCertificates.AuthorityKeyFile })
        {
            File.Copy(Path.Combine(cluster.Cluster.CertificateDirectory, file), Path.Combine(certificates, file));
        }
        ClusterCertificates.IssueNode(certificates, "node-2");
        var ports = FreePorts.Take(2);
        var spec = new NodeSpec("node-2", Path.Combine(cluster.Cluster.Directory, "impostor"), ports[0], ports[1], certificates);
        spec.Seeds.Add(cluster.Nodes[0].Spec.PeerAddress);
        var log = Path.Combine(cluster.Cluster.Directory, "impostor.log");
        await using var impostor = NodeProcess.Start(JarvisProgram.Executable, spec, log);
        using var client = new JarvisClient(spec.HttpUrl);

        await TestCluster.WaitUntilAsync(() => Task.FromResult(cluster.Log(0).Contains("duplicate: node node-2 is a live member (up) as replica " + genuine, StringComparison.Ordinal)), "node 1 logs that it refused a second node-2");
        await TestCluster.WaitUntilAsync(() => Task.FromResult(File.ReadAllText(log).Contains("refused this node: Refused: duplicate", StringComparison.Ordinal)), "the impostor logs that it was refused");
        await TestCluster.WaitUntilAsync(
            async () =>
            {
                try
                {
                    var membership = (await client.StatusAsync(CancellationToken.None)).GetProperty("membership");
                    return membership.GetProperty("state").GetString() == "refused" && membership.GetProperty("detail").GetString()!.Contains("duplicate", StringComparison.Ordinal);
                }
                catch (JarvisClientException)
                {
                    return false;
                }
            },
            "the impostor's /v1/status says it was refused as a duplicate");
        Assert.False(await client.IsReadyAsync(CancellationToken.None), "the impostor is not ready");

        var onImpostor = await client.PutAsync("test/set", "set", TestCluster.Add("from-the-impostor"), "all", 1000, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Accepted, onImpostor.Status);
        var all = await cluster.Client(0).PutAsync("test/set", "set", TestCluster.Add("marker"), "all", 10_000, CancellationToken.None);
        Assert.True(all.Completed, "an `all` write on node 1 completes: node-2's links still reach the genuine node-2");
        Assert.True(await cluster.HasElementAsync(1, "test/set", "marker"), "the genuine node-2 holds it");
        await TestCluster.WaitUntilAsync(() => cluster.HasElementAsync(2, "test/set", "marker"), "node 3 holds it");
        Assert.False(await cluster.HasElementAsync(0, "test/set", "from-the-impostor"), "nothing written on the impostor reaches a member");
        Assert.Equal("up", await cluster.MemberStatusAsync(0, genuine));
        Assert.Single(await cluster.MembersAsync(0), name => name == "node-2");
    }

    [Fact]
    public async Task Sigterm_leaves_the_cluster_and_a_node_that_is_down_can_be_removed_so_quorums_shrink()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        cluster.Cluster.EnsureCertificates(["node-4"]);
        var ports = FreePorts.Take(2);
        var spec = new NodeSpec("node-4", Path.Combine(cluster.Cluster.Directory, "node-4"), ports[0], ports[1], cluster.Cluster.CertificateDirectory);
        spec.Seeds.Add(cluster.Nodes[0].Spec.PeerAddress);
        var fourth = cluster.Cluster.Start(spec);
        await cluster.Cluster.WaitReadyAsync(TestCluster.Generous, null, CancellationToken.None);
        await TestCluster.WaitUntilAsync(async () => await cluster.QuorumAsync(0) == (4, 3), "node 1 counts four members");

        // Killed, it never says goodbye: Down, and still counted — majorities need 3 of 4, `all` cannot complete.
        var fourthId = await cluster.ReplicaIdAsync(3);
        await fourth.KillAsync();
        await TestCluster.WaitUntilAsync(async () => await cluster.MemberStatusAsync(0, fourthId) == "down", "node 1 sees node-4 down");
        Assert.Equal((4, 3), await cluster.QuorumAsync(0));
        var blocked = await cluster.Client(0).PutAsync("test/counter", "gcounter", TestCluster.Increment(1), "all", 1000, CancellationToken.None);
        Assert.False(blocked.Completed, "an `all` write cannot complete while a dead member counts");

        var (refusedCode, refused) = await RunJarvisAsync("member", "remove", "node-2", "--url", cluster.Nodes[0].Spec.HttpUrl.ToString());
        Assert.Equal(1, refusedCode);
        Assert.Contains("only a member that is down can be removed", refused, StringComparison.Ordinal);
        var (removedCode, removed) = await RunJarvisAsync("member", "remove", "node-4", "--url", cluster.Nodes[0].Spec.HttpUrl.ToString());
        Assert.True(removedCode == 0, removed);
        Assert.Contains("Removed node-4 (replica " + fourthId + ")", removed, StringComparison.Ordinal);
        Assert.Equal((3, 2), await cluster.QuorumAsync(0));
        await TestCluster.WaitUntilAsync(async () => await cluster.MemberStatusAsync(1, fourthId) == "left", "node 2 learns the removal");
        await TestCluster.WaitUntilAsync(async () => await cluster.QuorumAsync(1) == (3, 2), "node 2 counts three members");

        // SIGTERM: node 3 hands off, announces its departure and exits.
        var thirdId = await cluster.ReplicaIdAsync(2);
        await cluster.TerminateAsync(2);
        Assert.Equal(0, cluster.Nodes[2].ExitCode);
        Assert.Contains("Left the cluster after", cluster.Log(2), StringComparison.Ordinal);
        foreach (var i in new[] { 0, 1 })
        {
            var status = await cluster.MemberStatusAsync(i, thirdId);
            Assert.True(status is "left" or "retired", $"node {i + 1} sees node-3 gone for good, not down: {status}");
            Assert.Equal((2, 2), await cluster.QuorumAsync(i));
        }
        var all = await cluster.Client(0).PutAsync("test/counter", "gcounter", TestCluster.Increment(1), "all", 10_000, CancellationToken.None);
        Assert.True(all.Completed, "`all` writes complete once the departed and the removed no longer count");
        Assert.True(await cluster.Client(1).IsReadyAsync(CancellationToken.None));
    }

    private static async Task<(int ExitCode, string Output)> RunJarvisAsync(params string[] arguments)
    {
        using var process = Process.Start(JarvisProgram.Executable.StartInfo(arguments))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        // The terminal wraps long lines: read the output as one line.
        var text = string.Join(' ', ((await output) + (await error)).Split('\n').Select(line => line.Trim()));
        return (process.ExitCode, text);
    }
}
