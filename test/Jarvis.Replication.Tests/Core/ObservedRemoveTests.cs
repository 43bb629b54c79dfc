using Jarvis.Crdt;

namespace Jarvis.Replication.Tests.Core;

/// <summary>
/// <see cref="ReplicaTransaction.RemoveObserved{T}"/>: a replicated delta with an empty store and the observed dots as
/// its context removes, on every replica, exactly what the remover had observed.
/// </summary>
public sealed class ObservedRemoveTests
{
    [Fact]
    public void A_removal_drops_what_the_remover_observed_everywhere_and_a_concurrent_unseen_add_survives()
    {
        var cluster = new LoopbackCluster(3);
        var (remover, writer, bystander) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        remover.Update<ORSet<string>>("s", s => s.Add(remover.Id, "seen"));
        writer.Update<ORSet<string>>("s", s => s.Add(writer.Id, "seen-too"));
        cluster.Run(300);

        cluster.Isolated.Add(writer.Id);
        remover.Write(tx => tx.RemoveObserved<ORSet<string>>("s"));
        writer.Update<ORSet<string>>("s", s => s.Add(writer.Id, "unseen"));
        writer.Update<ORSet<string>>("s", s => s.Add(writer.Id, "seen"));
        cluster.Run(300);
        Assert.Equal(0, bystander.Get<ORSet<string>>("s")!.Count);
        cluster.Isolated.Clear();
        cluster.Run(500);

        foreach (var replica in cluster.Replicas)
        {
            Assert.True(
                replica.Get<ORSet<string>>("s")!.Elements.Order(StringComparer.Ordinal).SequenceEqual(["seen", "unseen"]),
                "what the remover observed is gone everywhere; the adds it had not seen (a re-add of a removed element included) survive");
        }
    }

    [Fact]
    public void Removing_from_an_absent_key_creates_nothing_and_another_type_is_refused()
    {
        var cluster = new LoopbackCluster(1);
        var replica = cluster.Replicas[0];

        replica.Write(tx => tx.RemoveObserved<ORSet<string>>("absent"));
        replica.Update<GCounter>("counter", c => c.Increment(replica.Id));

        Assert.DoesNotContain("absent", replica.Keys);
        Assert.Throws<KeyTypeMismatchException>(() => replica.Write(tx => tx.RemoveObserved<ORSet<string>>("counter")));
    }
}
