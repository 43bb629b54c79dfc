using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Tests.Support;

namespace Jarvis.Replication.Tests.Core;

/// <summary>A received message is applied entry by entry: an entry whose decode or join throws is refused alone, the rest applies.</summary>
public sealed class ReceiveIsolationTests
{
    private static readonly ReplicaId Sender = new(1);

    [Fact]
    public void An_entry_whose_join_throws_is_refused_alone_and_the_rest_of_the_message_applies_and_is_acknowledged()
    {
        var replica = Replica();
        replica.Update<FaultyMax>("max", m => m.Set(5));
        replica.TakeOutputs();

        replica.Receive(Sender, new DeltaBatch(1, 2, [SetEntry("before", "a"), FaultyMax.Entry("max", FaultyMax.ThrowsOnJoin), FaultyMax.Entry("fresh", FaultyMax.ThrowsOnJoin), SetEntry("after", "b")], 1));
        var outputs = replica.TakeOutputs();

        var errors = outputs.OfType<ProtocolError>().Select(e => e.Reason).ToList();
        Assert.True(errors.Count == 2 && errors.All(e => e.Contains("could not be joined", StringComparison.Ordinal)), "each entry whose join throws is reported once: " + string.Join("; ", errors));
        Assert.Contains(errors, e => e.Contains("'max'", StringComparison.Ordinal) && e.Contains("injected join fault", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'fresh'", StringComparison.Ordinal));
        Assert.True(replica.Get<ORSet<string>>("before")!.Contains("a") && replica.Get<ORSet<string>>("after")!.Contains("b"), "the entries before and after the throwing ones are joined");
        Assert.True(replica.Get<FaultyMax>("max")!.Value == 5, "the object whose join threw keeps its state");
        Assert.True(replica.Get<FaultyMax>("fresh") is null, "a key whose first join threw is not created");
        Assert.Contains(outputs, o => o is SendMessage { Message: Ack { UpTo: 2 } } send && send.To == Sender);
        AssertConsistent(replica);
    }

    [Fact]
    public void An_entry_whose_decoder_throws_something_other_than_a_decode_error_is_refused_alone()
    {
        var replica = Replica();

        replica.Receive(Sender, new DeltaBatch(1, 2, [FaultyMax.Entry("bad", FaultyMax.ThrowsOnDecode), SetEntry("good", "x")], 1));
        var outputs = replica.TakeOutputs();

        var error = Assert.Single(outputs.OfType<ProtocolError>());
        Assert.Contains("'bad'", error.Reason, StringComparison.Ordinal);
        Assert.Contains("NotSupportedException", error.Reason, StringComparison.Ordinal);
        Assert.True(replica.Get<ORSet<string>>("good")!.Contains("x"), "the entry after the undecodable one is joined");
        Assert.Contains(outputs, o => o is SendMessage { Message: Ack { UpTo: 2 } });
        AssertConsistent(replica);
    }

    [Fact]
    public void A_malformed_entry_is_refused_alone_and_a_state_transfer_carrying_it_still_completes()
    {
        var replica = Replica();
        var garbage = new WireObject("garbled", CrdtTypeRegistry.NameOf(typeof(GCounter)), [1, 2, 3]);

        replica.Receive(Sender, new StateBatch(7, 0, 0, 1, [garbage, SetEntry("kept", "y")]));
        var outputs = replica.TakeOutputs();

        Assert.Contains(outputs, o => o is ProtocolError e && e.Reason.Contains("'garbled'", StringComparison.Ordinal));
        Assert.True(replica.Get<ORSet<string>>("kept")!.Contains("y"), "the well-formed entry of the transfer is joined");
        Assert.True(replica.Get<GCounter>("garbled") is null, "nothing is created for the malformed entry");
        Assert.Contains(outputs, o => o is SendMessage { Message: Ack { UpTo: 1 } });
    }

    [Fact]
    public void Replicas_still_converge_on_everything_else_when_one_of_them_writes_a_value_others_cannot_join()
    {
        var cluster = new LoopbackCluster(3, new ReplicaOptions { Durable = false });
        foreach (var replica in cluster.Replicas)
        {
            replica.Handle<FaultyMax>("poison");
        }
        var writer = cluster.Replicas[0];
        writer.Update<FaultyMax>("poison", m => m.Set(FaultyMax.ThrowsOnJoin));
        foreach (var replica in cluster.Replicas)
        {
            replica.Update<ORSet<string>>("tags", s => s.Add(replica.Id, replica.Id.ToString()));
        }
        cluster.Run(1_000);

        Assert.All(cluster.Replicas, r => Assert.Equal(3, r.Get<ORSet<string>>("tags")!.Count));
        Assert.All(cluster.Replicas.Skip(1), r => Assert.True(r.Get<FaultyMax>("poison") is null, "a value whose join throws is refused on every receiver"));
        Assert.Contains(cluster.Notifications, n => n is ProtocolError e && e.Reason.Contains("'poison'", StringComparison.Ordinal));
        Assert.All(cluster.Replicas, r => Assert.Equal(0, r.DeltaBufferCount));
    }

    private static ReplicaCore Replica()
    {
        var types = CrdtTypeRegistry.CreateDefault();
        types.Register<FaultyMax>();
        var replica = new ReplicaCore(new ReplicaId(2), types, new ReplicaOptions { Durable = false });
        replica.AddPeer(Sender);
        replica.TakeOutputs();
        return replica;
    }

    private static WireObject SetEntry(string key, string element)
    {
        var set = new ORSet<string>();
        return new WireObject(key, CrdtTypeRegistry.NameOf(typeof(ORSet<string>)), CrdtEncoding.Encode(set.Add(Sender, element)));
    }

    /// <summary>Every object the replica holds encodes and decodes to itself, and its digest is that of its objects.</summary>
    private static void AssertConsistent(ReplicaCore replica)
    {
        foreach (var key in replica.Keys)
        {
            Assert.True(replica.TryGetState(key, out var state, out var type));
            var bytes = type.Encode(state);
            Assert.Equal(bytes, type.Encode(type.Decode(bytes)));
        }
        Assert.NotEqual(UInt128.Zero, replica.StateDigest);
    }
}
