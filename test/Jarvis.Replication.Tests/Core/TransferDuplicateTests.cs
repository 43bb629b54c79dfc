using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Core;

/// <summary>
/// A late duplicate of a state transfer (or of a part of a large object) that already completed must not
/// leave the peer looking busy for good: it kept a replica from ever being quiet, so a departed member was
/// never retired (seeds 43,960 and 54,212 of a 100,000-seed simulator run).
/// </summary>
public sealed class TransferDuplicateTests
{
    private static readonly ReplicaId Sender = new(1);

    private static (ReplicaCore Receiver, WireObject First, WireObject Second) Setup()
    {
        var receiver = new ReplicaCore(new ReplicaId(2), CrdtTypeRegistry.CreateDefault(), new ReplicaOptions { Durable = false });
        receiver.AddPeer(Sender);
        receiver.Tick(0);
        receiver.TakeOutputs();
        var x = new ORSet<string>();
        x.Add(Sender, "x");
        var y = new ORSet<string>();
        y.Add(Sender, "y");
        return (receiver, new WireObject("a", "ORSet<String>", CrdtEncoding.Encode(x)), new WireObject("b", "ORSet<String>", CrdtEncoding.Encode(y)));
    }

    [Fact]
    public void A_duplicate_message_of_a_completed_transfer_is_acknowledged_again_and_leaves_nothing_pending()
    {
        var (receiver, first, second) = Setup();
        receiver.Receive(Sender, new StateBatch(7, 3, 0, 2, [first]));
        receiver.Receive(Sender, new StateBatch(7, 3, 1, 2, [second]));
        Assert.DoesNotContain("incoming", receiver.DescribeRetirement(), StringComparison.Ordinal);
        receiver.TakeOutputs();

        receiver.Receive(Sender, new StateBatch(7, 3, 1, 2, [second]));

        Assert.DoesNotContain("incoming", receiver.DescribeRetirement(), StringComparison.Ordinal);
        Assert.Contains(receiver.TakeOutputs(), o => o is SendMessage { Message: Ack { UpTo: 4 } });
        Assert.Equal(["x"], receiver.Get<ORSet<string>>("a")!.Elements);
        Assert.Equal(["y"], receiver.Get<ORSet<string>>("b")!.Elements);
    }

    [Fact]
    public void A_duplicate_part_of_an_object_already_assembled_starts_no_new_assembly()
    {
        var (receiver, first, _) = Setup();
        var half = first.Bytes.Length / 2;
        var part0 = new StatePart(8, 3, 0, 1, first.Key, first.Type, 0, 2, first.Bytes[..half]);
        receiver.Receive(Sender, part0);
        receiver.Receive(Sender, new StatePart(8, 3, 0, 1, first.Key, first.Type, 1, 2, first.Bytes[half..]));
        Assert.Equal(["x"], receiver.Get<ORSet<string>>("a")!.Elements);

        receiver.Receive(Sender, part0);

        var state = receiver.DescribeRetirement();
        Assert.DoesNotContain("parts(", state, StringComparison.Ordinal);
        Assert.DoesNotContain("incoming", state, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transfer_whose_sender_went_silent_is_forgotten_after_long_past_its_patience()
    {
        var (receiver, first, _) = Setup();
        receiver.Receive(Sender, new StateBatch(9, 3, 0, 2, [first]));
        Assert.Contains("incoming", receiver.DescribeRetirement(), StringComparison.Ordinal);

        var options = new ReplicaOptions();
        for (var now = 0L; now <= options.RetransmitAfterMs * 10; now += options.SyncIntervalMs)
        {
            receiver.Tick(now);
            receiver.TakeOutputs();
        }

        Assert.DoesNotContain("incoming", receiver.DescribeRetirement(), StringComparison.Ordinal);
        Assert.Equal(["x"], receiver.Get<ORSet<string>>("a")!.Elements);   // what arrived stays applied
    }
}
