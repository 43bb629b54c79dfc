using Jarvis.Crdt;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Core;

/// <summary>
/// Merkle sessions are lock-step so that duplicated messages are dropped — including duplicates that arrive
/// after the session has finished. Seed 19979 of the seeded run (issue 13): the duplicate of a finished
/// session's first message reopened it at the responder, whose tree had changed since, and the duplicate of
/// its request then met a listing it did not refer to — a protocol error reported against an honest peer.
/// </summary>
public sealed class ComparisonDuplicateTests
{
    [Fact]
    public void Late_duplicates_of_a_finished_comparison_are_dropped_without_an_answer_or_a_protocol_error()
    {
        var (a, b) = (new ReplicaCore(new ReplicaId(1), CrdtTypeRegistry.CreateDefault()), new ReplicaCore(new ReplicaId(2), CrdtTypeRegistry.CreateDefault()));
        a.AddPeer(b.Id);
        b.AddPeer(a.Id);
        // a is never ticked, so it only answers b's comparison, in which b requests a's key k.
        a.Update<GCounter>("k", c => c.Increment(a.Id));
        Drain(a, []);
        b.Receive(a.Id, new StateRequest());
        var initiated = new List<MerkleSync>();
        for (var now = 10L; now <= 500; now += 10)
        {
            b.Tick(now);
            Exchange(a, b, initiated);
        }
        Assert.True(initiated.Count >= 2, $"b's comparison opened and requested what it lacks: {initiated.Count} messages");

        // a's tree changes, then every message of the finished session arrives again.
        a.Update<GCounter>("k", c => c.Increment(a.Id));
        Drain(a, []);
        var answers = new List<ReplicaOutput>();
        foreach (var duplicate in initiated)
        {
            a.Receive(b.Id, duplicate);
            Drain(a, answers);
        }

        Assert.DoesNotContain(answers, o => o is ProtocolError);
        Assert.DoesNotContain(answers, o => o is SendMessage { Message: MerkleSync });
    }

    /// <summary>Delivers messages both ways until both are silent, recording b's Merkle messages to a.</summary>
    private static void Exchange(ReplicaCore a, ReplicaCore b, List<MerkleSync> initiated)
    {
        var busy = true;
        while (busy)
        {
            busy = false;
            foreach (var (from, to) in new[] { (a, b), (b, a) })
            {
                var sent = new List<ReplicaOutput>();
                Drain(from, sent);
                foreach (var send in sent.OfType<SendMessage>())
                {
                    busy = true;
                    var message = MessageCodec.Decode(MessageCodec.Encode(send.Message));
                    if (from == b && message is MerkleSync { Initiator: true } sync)
                    {
                        initiated.Add(sync);
                    }
                    to.Receive(from.Id, message);
                }
            }
        }
    }

    /// <summary>Completes every storage request at once and collects every other output.</summary>
    private static void Drain(ReplicaCore replica, List<ReplicaOutput> outputs)
    {
        var more = true;
        while (more)
        {
            more = false;
            foreach (var output in replica.TakeOutputs())
            {
                more = true;
                switch (output)
                {
                    case PersistLog log:
                        replica.PersistCompleted(log.BatchId);
                        break;
                    case PersistCheckpoint checkpoint:
                        replica.PersistCompleted(checkpoint.BatchId);
                        break;
                    default:
                        outputs.Add(output);
                        break;
                }
            }
        }
    }
}
