using Jarvis.Crdt;

namespace Jarvis.Replication.Tests.WritePath;

/// <summary>
/// A write is a transaction of mutations: one log batch, one completion, later updates seeing earlier ones.
/// Writes do not nest; a body that throws keeps what it applied and leaves the replica ready for the next
/// write; what a write may not do (reserved keys, another type, a mutator that is not a delta) is refused.
/// </summary>
public sealed class TransactionTests
{
    private static ReplicaCore NewReplica() => new(new ReplicaId(1), CrdtTypeRegistry.CreateDefault());

    [Fact]
    public void A_transaction_of_three_updates_is_one_log_batch_and_one_completion()
    {
        var replica = NewReplica();
        var write = replica.Write(tx =>
        {
            tx.Update<GCounter>("a", c => c.Increment(replica.Id, 1));
            tx.Update<GCounter>("b", c => c.Increment(replica.Id, 2));
            tx.Update<GCounter>("a", c => c.Increment(replica.Id, 3));
        });

        var outputs = replica.TakeOutputs();
        var log = Assert.Single(outputs.OfType<PersistLog>());
        Assert.Equal([(1L, "a"), (2L, "b"), (3L, "a")], log.Records.Select(r => (r.Sequence, r.Key)));
        Assert.Equal(["a", "b", "a"], outputs.OfType<ObjectChanged>().Where(c => c.Local).Select(c => c.Key));

        replica.PersistCompleted(log.BatchId);
        var completed = Assert.Single(replica.TakeOutputs().OfType<WriteCompleted>());
        Assert.Equal((write, WriteOutcome.Acknowledged), (completed.WriteId, completed.Outcome));
        Assert.Equal(4UL, replica.Get<GCounter>("a")?.Value);
    }

    [Fact]
    public void Each_update_of_a_transaction_sees_the_ones_before_it()
    {
        var replica = NewReplica();
        UInt128 seen = 0;
        replica.Write(tx =>
        {
            tx.Update<GCounter>("a", c => c.Increment(replica.Id, 5));
            tx.Update<GCounter>("a", c =>
            {
                seen = c.Value;
                return c.Increment(replica.Id, 1);
            });
        });

        Assert.Equal((UInt128)5, seen);
    }

    [Fact]
    public void A_write_inside_a_write_is_refused_and_the_outer_transaction_goes_on()
    {
        var replica = NewReplica();
        Exception? nested = null;
        Exception? nestedUpdate = null;
        var outer = replica.Write(tx =>
        {
            tx.Update<GCounter>("a", c => c.Increment(replica.Id));
            nested = Record.Exception(() => replica.Write(inner => inner.Update<GCounter>("b", c => c.Increment(replica.Id))));
            nestedUpdate = Record.Exception(() => replica.Update<GCounter>("b", c => c.Increment(replica.Id)));
            tx.Update<GCounter>("a", c => c.Increment(replica.Id));
        });

        Assert.Contains("do not nest", Assert.IsType<InvalidOperationException>(nested).Message, StringComparison.Ordinal);
        Assert.Contains("do not nest", Assert.IsType<InvalidOperationException>(nestedUpdate).Message, StringComparison.Ordinal);
        Assert.Null(replica.Get<GCounter>("b"));
        var outputs = replica.TakeOutputs();
        var log = Assert.Single(outputs.OfType<PersistLog>());
        Assert.Equal(["a", "a"], log.Records.Select(r => r.Key));
        replica.PersistCompleted(log.BatchId);
        var completed = Assert.Single(replica.TakeOutputs().OfType<WriteCompleted>());
        Assert.Equal(outer, completed.WriteId);
    }

    [Fact]
    public void A_body_that_throws_keeps_and_persists_what_it_applied_and_the_next_write_is_accepted()
    {
        var replica = NewReplica();

        var thrown = Record.Exception(() => replica.Write(tx =>
        {
            tx.Update<GCounter>("a", c => c.Increment(replica.Id, 2));
            throw new FormatException("the caller's own failure");
        }));

        Assert.IsType<FormatException>(thrown);
        Assert.Equal(2UL, replica.Get<GCounter>("a")?.Value);
        var log = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        Assert.Equal(["a"], log.Records.Select(r => r.Key));

        replica.Update<GCounter>("b", c => c.Increment(replica.Id));
        var next = Assert.Single(replica.TakeOutputs().OfType<PersistLog>());
        Assert.Equal([2L], next.Records.Select(r => r.Sequence));
    }

    [Fact]
    public void After_a_write_that_threw_single_updates_are_persisted_one_batch_each_again()
    {
        var replica = NewReplica();
        Record.Exception(() => replica.Write(_ => throw new FormatException()));

        replica.Update<GCounter>("a", c => c.Increment(replica.Id));
        replica.Update<GCounter>("b", c => c.Increment(replica.Id));

        Assert.Equal(2, replica.TakeOutputs().OfType<PersistLog>().Count());
    }

    [Fact]
    public void Keys_under_the_reserved_prefix_cannot_be_written()
    {
        var replica = NewReplica();

        var thrown = Assert.Throws<ArgumentException>(() => replica.Update<GCounter>(ReplicaCore.ReservedPrefix + "x", c => c.Increment(replica.Id)));

        Assert.Equal("key", thrown.ParamName);
        Assert.Contains("reserved", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(0, replica.Count);
        Assert.Equal(0L, replica.LastSequence);
    }

    [Fact]
    public void A_key_holding_one_type_cannot_be_updated_as_another()
    {
        var replica = NewReplica();
        replica.Update<GCounter>("a", c => c.Increment(replica.Id));

        Assert.Throws<KeyTypeMismatchException>(() => replica.Update<PNCounter>("a", c => c.Increment(replica.Id, 1)));
        Assert.Equal(1L, replica.LastSequence);
    }

    [Fact]
    public void A_mutator_must_return_a_delta_not_the_state_nor_null()
    {
        var replica = NewReplica();

        var state = Assert.Throws<ArgumentException>(() => replica.Update<GCounter>("a", c =>
        {
            c.Increment(replica.Id);
            return c;
        }));
        var none = Assert.Throws<ArgumentException>(() => replica.Update<GCounter>("a", _ => null!));
        Assert.All(new[] { state, none }, e => Assert.Contains("must return the delta", e.Message, StringComparison.Ordinal));
        Assert.Equal(0L, replica.LastSequence);
    }

    [Fact]
    public void Null_arguments_are_refused_before_anything_is_written()
    {
        var replica = NewReplica();

        Assert.Throws<ArgumentNullException>(() => replica.Write(null!));
        Assert.Throws<ArgumentNullException>(() => replica.Update<GCounter>(null!, c => c.Increment(replica.Id)));
        Assert.Throws<ArgumentNullException>(() => replica.Update<GCounter>("a", null!));
        Assert.Equal(0L, replica.LastSequence);
    }

    [Fact]
    public void A_mutation_of_an_absent_key_that_changes_nothing_creates_no_key_but_one_that_changes_something_does()
    {
        var replica = NewReplica();

        replica.Update<ORSet<string>>("s", s => s.Remove("x"));
        Assert.Equal((0, 0L), (replica.Count, replica.LastSequence));

        replica.Update<ORSet<string>>("s", s => s.Add(replica.Id, "x"));
        Assert.Equal((1, 1L), (replica.Count, replica.LastSequence));
        var changed = Assert.Single(replica.TakeOutputs().OfType<ObjectChanged>());
        Assert.Equal(("s", true), (changed.Key, changed.Local));
    }

    [Fact]
    public void A_replica_that_is_leaving_refuses_writes()
    {
        var replica = NewReplica();
        replica.Leave();

        var refused = Assert.Throws<InvalidOperationException>(() => replica.Update<GCounter>("a", c => c.Increment(replica.Id)));
        Assert.Contains("leaving", refused.Message, StringComparison.Ordinal);
        Assert.Null(replica.Get<GCounter>("a"));
    }

    [Fact]
    public void Write_ids_are_distinct_and_increasing()
    {
        var replica = NewReplica();

        var ids = Enumerable.Range(0, 3).Select(_ => replica.Update<GCounter>("a", c => c.Increment(replica.Id))).ToArray();

        Assert.Equal([ids[0], ids[0] + 1, ids[0] + 2], ids);
    }
}
