using Jarvis.Crdt;
using Jarvis.Replication.Engine;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Engine;

/// <summary>The peer table: the peers in identity order, and what is asked of them as a whole.</summary>
public sealed class PeerTableTests
{
    private static readonly ReplicaId A = new(1);
    private static readonly ReplicaId B = new(2);
    private static readonly ReplicaId C = new(3);

    [Fact]
    public void Peers_are_walked_in_identity_order_whatever_the_order_they_were_added_in()
    {
        var table = new PeerTable();
        table.Add(C, needsState: false);
        table.Add(A, needsState: false);
        table.Add(B, needsState: false);
        Assert.True(table.Ids.SequenceEqual([A, B, C]), "identities come in order, so every walk over the peers is deterministic");
        Assert.True(table.All.Select(p => p.Id).SequenceEqual([A, B, C]), "peers come in identity order");
    }

    [Fact]
    public void A_new_peer_has_acknowledged_nothing_and_needs_state_only_when_asked()
    {
        var table = new PeerTable();
        var fresh = table.Add(A, needsState: false);
        var behind = table.Add(B, needsState: true);
        Assert.True(fresh.Acked == 1 && fresh.SentUpTo == 1 && table.AcknowledgedBy(A) == 1, "a new peer has acknowledged nothing (sequences start at 1)");
        Assert.False(fresh.NeedsState, "a peer of a replica without history starts in the delta exchange");
        Assert.True(behind.NeedsState, "a peer of a replica with history starts with a state transfer");
        Assert.Throws<KeyNotFoundException>(() => table.AcknowledgedBy(C));
    }

    [Fact]
    public void Count_holding_counts_the_peers_that_acknowledged_past_the_sequence()
    {
        var table = new PeerTable();
        table.Add(A, false).Acked = 5;
        table.Add(B, false).Acked = 6;
        table.Add(C, false).Acked = 9;
        Assert.True(table.CountHolding(4) == 3, "every peer acknowledged past 4");
        Assert.True(table.CountHolding(5) == 2, "acknowledging up to 5 means holding what is below 5, not 5 itself");
        Assert.True(table.CountHolding(8) == 1, "only the peer acknowledged to 9 holds 8");
        Assert.True(table.CountHolding(9) == 0, "no peer holds 9");
    }

    [Fact]
    public void The_minimum_acknowledged_leaves_out_peers_catching_up_by_state_and_those_not_counted()
    {
        var table = new PeerTable();
        Assert.True(table.MinimumAcked() == long.MaxValue, "with no peer nothing holds the buffer back");
        table.Add(A, false).Acked = 7;
        table.Add(B, true).Acked = 2;
        table.Add(C, false).Acked = 4;
        Assert.True(table.MinimumAcked() == 4, "a peer that needs a state transfer does not hold deltas back");
        Assert.True(table.MinimumAcked(p => p.Id != C) == 7, "a peer left out by the filter does not count");
        table[B].NeedsState = false;
        Assert.True(table.MinimumAcked() == 2, "once in the delta exchange, the peer counts");
    }

    [Fact]
    public void Requiring_state_from_all_marks_every_peer()
    {
        var table = new PeerTable();
        table.Add(A, false);
        table.Add(B, false);
        table.RequireStateFromAll();
        Assert.True(table.All.All(p => p.NeedsState), "every peer needs a state transfer");
    }

    [Fact]
    public void The_table_is_settled_only_while_nothing_is_under_way_with_any_peer()
    {
        var table = new PeerTable();
        table.Add(A, false);
        var b = table.Add(B, false);
        Assert.True(table.AllSettled, "fresh peers in the delta exchange are settled");
        var busy = new List<(string What, Action Make, Action Undo)>
        {
            ("owed a state transfer", () => b.NeedsState = true, () => b.NeedsState = false),
            ("sending a transfer", () => b.Transfers.Start(1, 1, 0), () => b.Transfers.Acknowledge(2)),
            ("receiving a transfer", () => b.Transfers.Receive(2, 1, 0, 2, 0), () => b.Transfers.ForgetStale(100, 10)),
            ("holding keys to ship", () => b.PendingKeys = (["k"], 1), () => b.PendingKeys = null),
            ("assembling a large object", () => b.Transfers.ReceivePart(new StatePart(3, 1, 0, 1, "big", "t", 0, 2, [1]), 0), () => b.Transfers.ForgetStale(100, 10)),
        };
        var failures = new List<string>();
        foreach (var (what, make, undo) in busy)
        {
            make();
            if (table.AllSettled || b.IsSettled)
            {
                failures.Add(what);
            }
            undo();
        }
        Assert.True(failures.Count == 0, $"a peer is busy while {string.Join(", ", failures)}");
        Assert.True(table.AllSettled, "undoing every activity settles the table again");
    }

    [Fact]
    public void A_removed_peer_is_gone_and_a_second_removal_says_so()
    {
        var table = new PeerTable();
        table.Add(A, false);
        Assert.True(table.Remove(A) && !table.Contains(A) && table.Count == 0, "a removed peer is gone");
        Assert.False(table.Remove(A), "removing an unknown peer reports that it was not one");
        Assert.False(table.TryGet(A, out _), "a removed peer is not found");
    }
}
