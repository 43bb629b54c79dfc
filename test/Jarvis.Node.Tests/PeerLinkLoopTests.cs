using System.Net;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Node.Internal;
using Jarvis.Replication;
using Hello = Jarvis.Node.Internal.Protocol.Hello;
using Jarvis.Replication.Protocol;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Tests;

/// <summary>The peer links' loops — an outbound link writing frames, an inbound stream reading them — survive an exception in one frame and say so.</summary>
public sealed class PeerLinkLoopTests
{
    private static readonly ReplicaId Sender = ReplicaId.FromName("node-x");

    [Fact]
    public async Task An_outbound_link_whose_write_loop_throws_logs_and_counts_it_reconnects_and_delivers_the_next_frames()
    {
        await using var peer = await TestNode.StartAsync("node-2");
        var logs = new CapturingLoggerProvider();
        using var logging = LoggerFactory.Create(b => b.AddProvider(logs));
        using var metrics = new NodeMetrics("node-x");
        await using var link = await LinkAsync(peer, metrics, logging);

        // A null frame makes the write loop throw (NullReferenceException) after its write: a bug, not a network fault.
        link.Enqueue(null!);
        link.Enqueue(Frame("after/throw", "delivered"));
        link.Start();

        Assert.True(await Eventually.HoldsAsync(async () => (await peer.Client.GetAsync("v1/objects/after/throw")).StatusCode == HttpStatusCode.OK), "the frame after the one that threw reaches the peer: the link reconnected");
        Assert.Equal(1, metrics.LoopFailures(DriverLoop.PeerSend));
        Assert.Contains(logs.Entries, e => e.Message.Contains("failed unexpectedly", StringComparison.Ordinal) && e.Message.Contains("NullReferenceException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_inbound_stream_drops_a_frame_that_fails_to_be_handed_over_says_so_and_reads_the_next_one()
    {
        var armed = 1;
        var hooks = new NodeHooks { BeforeReceive = name => { if (name == "node-x" && Interlocked.Exchange(ref armed, 0) == 1) { throw new InvalidDataException("injected receive fault"); } } };
        await using var peer = await TestNode.StartAsync("node-2", hooks);
        using var logging = LoggerFactory.Create(_ => { });
        using var metrics = new NodeMetrics("node-x");
        await using var link = await LinkAsync(peer, metrics, logging);

        link.Enqueue(Frame("dropped/frame", "lost"));
        link.Enqueue(Frame("next/frame", "kept"));
        link.Start();

        Assert.True(await Eventually.HoldsAsync(async () => (await peer.Client.GetAsync("v1/objects/next/frame")).StatusCode == HttpStatusCode.OK), "the frame after the failing one is applied");
        Assert.Equal(HttpStatusCode.NotFound, (await peer.Client.GetAsync("v1/objects/dropped/frame")).StatusCode);
        Assert.Equal(1, await peer.MetricAsync("jarvis_loop_failures_total", "loop=\"peer-receive\""));
        Assert.Contains(peer.Logs.Entries, e => e.Message.Contains("could not be handed to the replica", StringComparison.Ordinal) && e.Message.Contains("injected receive fault", StringComparison.Ordinal));
        Assert.True(peer.Logs.Entries.Count(e => e.Message.Contains("Accepted peer node-x", StringComparison.Ordinal)) == 1, "the stream went on: the link did not have to reconnect");
    }

    /// <summary>A link from "node-x" to the peer, under the replica id the peer's data folder gave it.</summary>
    private static async Task<PeerLink> LinkAsync(TestNode peer, NodeMetrics metrics, ILoggerFactory logging)
    {
        var peerId = ReplicaId.Parse((await peer.GetJsonAsync("v1/status"))["replicaId"]!.GetValue<string>(), null);
        var options = new NodeOptions { Name = "node-x", Insecure = true };
        var directory = new PeerDirectory(new Dictionary<string, string> { ["node-2"] = peer.PeerAddress });
        // A route names a node; which replica holds that name is learnt, as from a seed's hello.
        directory.NoteHeard("node-2", peerId, peer.PeerAddress);
        var security = new PeerSecurity(options, logging.CreateLogger("test"), metrics);
        var hello = new Hello { Name = "node-x", ReplicaId = Sender.Value, Address = "127.0.0.1:9" };
        return new PeerLink(peerId, "node-2", directory, security, hello, metrics, logging.CreateLogger("Jarvis.Node.PeerLink"));
    }

    private static byte[] Frame(string key, string element)
    {
        var delta = new ORSet<string>().Add(Sender, element);
        return MessageCodec.Encode(new DeltaBatch(1, 2, [new WireObject(key, CrdtTypeRegistry.NameOf(typeof(ORSet<string>)), CrdtEncoding.Encode(delta))], 1));
    }
}
