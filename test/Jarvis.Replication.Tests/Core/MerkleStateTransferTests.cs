using Jarvis.Crdt;
using Jarvis.Replication.Protocol;

namespace Jarvis.Replication.Tests.Core;

public sealed class MerkleStateTransferTests
{
    [Fact]
    public void A_state_transfer_compares_trees_first_and_ships_only_the_keys_that_differ()
    {
        var cluster = new LoopbackCluster(2);
        var (a, b) = (cluster.Replicas[0], cluster.Replicas[1]);
        a.Write(tx =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                tx.Update<GCounter>($"counters/{i}", c => c.Increment(a.Id));
            }
        });
        cluster.Run(1_000);
        Assert.Equal(5_000, b.Count);

        // b asks for state (as after losing its delta history); only the comparison should travel.
        var before = cluster.BytesSent;
        a.Receive(b.Id, new StateRequest());
        cluster.Run(1_000);
        var identical = cluster.BytesSent - before;

        // One key changes while b asks for state again: the comparison plus that key, not 5,000 keys.
        a.Update<GCounter>("counters/7", c => c.Increment(a.Id, 41));
        a.Receive(b.Id, new StateRequest());
        var beforeOne = cluster.BytesSent;
        cluster.Run(1_000);
        var oneDiffering = cluster.BytesSent - beforeOne;

        Assert.Equal(42UL, b.Get<GCounter>("counters/7")!.Value);
        Assert.True(identical < 5_000, $"two identical replicas of 5,000 keys compare in a few messages, not a full transfer: {identical} bytes");
        Assert.True(oneDiffering < 10_000, $"one differing key costs a comparison plus that key: {oneDiffering} bytes");
    }
}
