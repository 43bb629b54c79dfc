using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests.Contract;

/// <summary>
/// The behaviour every <see cref="IDurableStore"/> owes its driver, run against each implementation by
/// subclassing. "Restart" means what a process restart means for the implementation: the SQLite store is
/// closed and opened again on its file, the in-memory store is handed over as it is.
/// </summary>
public abstract class DurableStoreContract : IDisposable
{
    private readonly List<IDurableStore> _stores = [];

    /// <summary>A store that has never been written.</summary>
    protected abstract IDurableStore CreateStore();

    /// <summary>The same store after a restart of its process.</summary>
    protected abstract IDurableStore Restart(IDurableStore store);

    /// <summary>
    /// Arranges for <paramref name="store"/> to run out of space within the next few hundred kilobytes of
    /// appends (the SQLite store under test has a quota; the in-memory one is told to fail).
    /// </summary>
    protected abstract void ExpectSpaceToRunOut(IDurableStore store);

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
        DisposeFixture();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeFixture()
    {
    }

    /// <summary>Registers a store for disposal at the end of the test.</summary>
    protected IDurableStore Track(IDurableStore store)
    {
        _stores.Add(store);
        return store;
    }

    private IDurableStore Open() => Track(CreateStore());

    private IDurableStore Reopen(IDurableStore store) => Track(Restart(store));

    [Fact]
    public void A_new_store_recovers_empty()
    {
        var store = Open();

        var state = store.Recover();

        StoreAssert.StateEqual(RecoveredState.Empty, state, "a store never written recovers nothing");
        Assert.Equal(0, state.LastSequence);
    }

    [Fact]
    public void Appended_records_come_back_in_sequence_order_after_a_restart()
    {
        var store = Open();
        var first = TestData.Batch(1, 5);
        var second = TestData.Batch(6, 1);
        var third = TestData.Batch(10, 40, payloadLength: 100);

        store.Append(first);
        store.Append(second);
        store.Append(third);
        var before = store.Recover();
        var after = Reopen(store).Recover();

        List<LogRecord> expected = [.. first, .. second, .. third];
        StoreAssert.LogEqual(expected, before.Log, "every acknowledged append is recovered, in order");
        StoreAssert.LogEqual(expected, after.Log, "every acknowledged append survives a restart, in order");
        Assert.Equal(49, after.LastSequence);
    }

    [Fact]
    public void An_empty_append_stores_nothing_and_is_not_an_error()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 3));

        store.Append([]);

        StoreAssert.LogEqual(TestData.Batch(1, 3), store.Recover().Log, "an empty append changes nothing");
    }

    [Fact]
    public void Sequences_must_strictly_ascend_within_a_batch_and_a_refused_batch_stores_nothing()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 2));
        var failures = new List<string>();

        foreach (var (name, batch) in new (string, List<LogRecord>)[]
        {
            ("repeated sequence", [TestData.Record(3), TestData.Record(4), TestData.Record(4)]),
            ("descending sequence", [TestData.Record(3), TestData.Record(5), TestData.Record(4)]),
        })
        {
            try
            {
                store.Append(batch);
                failures.Add($"{name}: accepted");
            }
            catch (ArgumentException)
            {
            }
        }

        Assert.Empty(failures);
        StoreAssert.LogEqual(TestData.Batch(1, 2), store.Recover().Log, "a refused batch stores none of its records, not even a valid prefix");
    }

    [Fact]
    public void Sequences_must_ascend_past_the_last_stored_one_also_after_a_restart()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 10));
        var restarted = Reopen(store);

        Assert.Throws<ArgumentException>(() => restarted.Append([TestData.Record(10)]));
        Assert.Throws<ArgumentException>(() => restarted.Append([TestData.Record(5)]));
        restarted.Append([TestData.Record(12)]);

        StoreAssert.LogEqual([.. TestData.Batch(1, 10), TestData.Record(12)], restarted.Recover().Log,
            "only the append past the last stored sequence is kept; gaps are allowed");
    }

    [Fact]
    public void Sequences_start_above_zero()
    {
        var store = Open();

        Assert.Throws<ArgumentException>(() => store.Append([TestData.Record(0)]));
        Assert.Throws<ArgumentException>(() => store.Append([TestData.Record(-3)]));
        Assert.Empty(store.Recover().Log);
    }

    [Fact]
    public void Malformed_records_are_refused_before_anything_is_stored()
    {
        var store = Open();
        var good = TestData.Record(1);
        var failures = new List<string>();

        foreach (var (name, record) in new (string, LogRecord)[]
        {
            ("null record", null!),
            ("null key", good with { Key = null! }),
            ("null type", good with { Type = null! }),
            ("null delta", good with { Delta = null! }),
            ("unpaired high surrogate in the key", good with { Key = "k\uD800" }),
            ("unpaired low surrogate in the type", good with { Type = "\uDC00T" }),
        })
        {
            try
            {
                store.Append([good, record]);
                failures.Add($"{name}: accepted");
            }
            catch (ArgumentException)
            {
            }
        }
        Assert.Throws<ArgumentNullException>(() => store.Append(null!));

        Assert.Empty(failures);
        Assert.Empty(store.Recover().Log);
    }

    [Fact]
    public void A_checkpoint_stores_states_and_drops_the_log_it_covers()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 10));
        ObjectCheckpoint[] states = [TestData.State("k1", 1), TestData.State("k2", 1)];

        store.Checkpoint(states, 6);
        var before = store.Recover();
        var after = Reopen(store).Recover();

        foreach (var (when, state) in new[] { ("before a restart", before), ("after a restart", after) })
        {
            Assert.True(state.CheckpointSequence == 6, $"{when}: the checkpoint sequence is the covered one");
            StoreAssert.CheckpointsEqual(states, state.Checkpoints, $"{when}: the checkpointed states are recovered");
            StoreAssert.LogEqual(TestData.Batch(7, 4), state.Log, $"{when}: only the log after the covered sequence remains");
            Assert.True(state.LastSequence == 10, $"{when}: the last sequence is the last appended one");
        }
    }

    [Fact]
    public void A_checkpoint_replaces_earlier_states_of_its_keys_and_keeps_the_others()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 4));
        store.Checkpoint([TestData.State("a", 1), TestData.State("b", 1)], 2);
        store.Append(TestData.Batch(5, 2));

        store.Checkpoint([new ObjectCheckpoint("b", "PNCounter", TestData.Payload(99, 7)), TestData.State("c", 2)], 5);
        var state = Reopen(store).Recover();

        StoreAssert.CheckpointsEqual(
            [TestData.State("a", 1), new ObjectCheckpoint("b", "PNCounter", TestData.Payload(99, 7)), TestData.State("c", 2)],
            state.Checkpoints,
            "a key checkpointed again takes the new type and state; keys not mentioned keep theirs");
        Assert.Equal(5, state.CheckpointSequence);
        StoreAssert.LogEqual(TestData.Batch(6, 1), state.Log, "the log after the newest checkpoint remains");
    }

    [Fact]
    public void Within_one_checkpoint_the_last_state_of_a_key_wins()
    {
        var store = Open();

        store.Checkpoint([TestData.State("a", 1), TestData.State("b", 1), TestData.State("a", 2)], 0);

        StoreAssert.CheckpointsEqual([TestData.State("a", 2), TestData.State("b", 1)], store.Recover().Checkpoints,
            "the later state of a key given twice is the one kept");
    }

    [Fact]
    public void A_checkpoint_cannot_move_backwards_but_may_repeat_its_sequence()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 6));
        store.Checkpoint([TestData.State("a", 1)], 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => store.Checkpoint([TestData.State("a", 2)], 3));
        store.Checkpoint([TestData.State("b", 1)], 4);

        var state = store.Recover();
        Assert.Equal(4, state.CheckpointSequence);
        StoreAssert.CheckpointsEqual([TestData.State("a", 1), TestData.State("b", 1)], state.Checkpoints,
            "a refused checkpoint stores nothing; one at the same sequence is accepted");
        StoreAssert.LogEqual(TestData.Batch(5, 2), state.Log, "the log after the checkpoint is untouched");
    }

    [Fact]
    public void A_checkpoint_past_the_last_append_moves_the_next_sequence_on()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 3));

        store.Checkpoint([TestData.State("a", 1)], 20);
        var restarted = Reopen(store);

        Assert.Equal(20, restarted.Recover().LastSequence);
        Assert.Throws<ArgumentException>(() => restarted.Append([TestData.Record(15)]));
        restarted.Append([TestData.Record(21)]);
        StoreAssert.LogEqual([TestData.Record(21)], restarted.Recover().Log, "appends continue after the covered sequence");
    }

    [Fact]
    public void Malformed_checkpoints_are_refused_before_anything_is_stored()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 3));
        var good = TestData.State("a", 1);
        var failures = new List<string>();

        foreach (var (name, state) in new (string, ObjectCheckpoint)[]
        {
            ("null state", null!),
            ("null key", good with { Key = null! }),
            ("null type", good with { Type = null! }),
            ("null bytes", good with { State = null! }),
            ("unpaired surrogate in the key", good with { Key = "\uDBFFx" }),
        })
        {
            try
            {
                store.Checkpoint([good, state], 3);
                failures.Add($"{name}: accepted");
            }
            catch (ArgumentException)
            {
            }
        }
        Assert.Throws<ArgumentNullException>(() => store.Checkpoint(null!, 3));

        Assert.Empty(failures);
        var recovered = store.Recover();
        Assert.Empty(recovered.Checkpoints);
        StoreAssert.LogEqual(TestData.Batch(1, 3), recovered.Log, "a refused checkpoint truncates nothing");
    }

    [Fact]
    public void Metadata_is_set_replaced_and_recovered()
    {
        var store = Open();

        store.SetMetadata("replica-id", [1, 2, 3]);
        store.SetMetadata("empty", []);
        store.SetMetadata("protocol", [9]);
        store.SetMetadata("protocol", [0, 255, 0]);
        Assert.Throws<ArgumentException>(() => store.SetMetadata(null!, [1]));
        Assert.Throws<ArgumentNullException>(() => store.SetMetadata("x", null!));

        var expected = new Dictionary<string, byte[]>
        {
            ["replica-id"] = [1, 2, 3],
            ["empty"] = [],
            ["protocol"] = [0, 255, 0],
        };
        StoreAssert.MetadataEqual(expected, store.Recover().Metadata, "the latest value of each name is recovered");
        StoreAssert.MetadataEqual(expected, Reopen(store).Recover().Metadata, "metadata survives a restart");
    }

    [Fact]
    public void Stored_bytes_are_isolated_from_the_callers_arrays()
    {
        var store = Open();
        var delta = TestData.Payload(1);
        var state = TestData.Payload(2);
        var value = TestData.Payload(3);
        store.Append([new LogRecord(1, "k", TestData.Type, delta)]);
        store.Checkpoint([new ObjectCheckpoint("k", TestData.Type, state)], 0);
        store.SetMetadata("m", value);

        delta[0] ^= 0xFF;
        state[0] ^= 0xFF;
        value[0] ^= 0xFF;
        var first = store.Recover();
        first.Log[0].Delta[1] ^= 0xFF;
        first.Checkpoints[0].State[1] ^= 0xFF;
        first.Metadata["m"][1] ^= 0xFF;
        var second = store.Recover();

        Assert.Equal(TestData.Payload(1), second.Log[0].Delta);
        Assert.Equal(TestData.Payload(2), second.Checkpoints[0].State);
        Assert.Equal(TestData.Payload(3), second.Metadata["m"]);
    }

    [Fact]
    public void Keys_and_type_names_round_trip_exactly_and_checkpoints_come_back_in_code_point_order()
    {
        var store = Open();
        string[] keys = ["b", "", "a\0b", "ключ", "键", "\U0001F511", "\uFFFD", "é", "A"];
        var records = keys.Select((key, i) => new LogRecord(i + 1, key, "ORSet<String>·" + key, TestData.Payload(i))).ToList();

        store.Append(records);
        store.Checkpoint([.. keys.Select(key => TestData.State(key, 1))], 0);
        var state = Reopen(store).Recover();

        StoreAssert.LogEqual(records, state.Log, "keys and type names come back exactly as given");
        var byCodePoint = keys.OrderBy(k => k, Comparer<string>.Create(CompareByCodePoint)).Select(key => TestData.State(key, 1));
        StoreAssert.CheckpointsEqual(byCodePoint, state.Checkpoints, "checkpoints come back in code point (UTF-8 byte) order");
    }

    [Fact]
    public void Large_payloads_round_trip()
    {
        var store = Open();
        var record = TestData.Record(1, payloadLength: 256 * 1024);
        var state = TestData.State("big", 1, length: 256 * 1024);

        store.Append([record]);
        store.Checkpoint([state], 0);
        var recovered = Reopen(store).Recover();

        StoreAssert.LogEqual([record], recovered.Log, "a 256 KiB delta round trips");
        StoreAssert.CheckpointsEqual([state], recovered.Checkpoints, "a 256 KiB state round trips");
    }

    [Fact]
    public void A_disposed_store_refuses_every_call_as_closed()
    {
        var store = Open();
        store.Append(TestData.Batch(1, 2));

        store.Dispose();
        store.Dispose();

        var failures = new List<string>();
        foreach (var (name, call) in new (string, Action)[]
        {
            ("Recover", () => store.Recover()),
            ("Append", () => store.Append(TestData.Batch(3, 1))),
            ("Checkpoint", () => store.Checkpoint([], 2)),
            ("SetMetadata", () => store.SetMetadata("m", [1])),
        })
        {
            try
            {
                call();
                failures.Add($"{name} succeeded");
            }
            catch (StorageException e) when (e.Failure == StorageFailure.Closed)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{name} threw {e.GetType().Name} instead of StorageException(Closed)");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void An_append_refused_for_lack_of_space_stores_nothing_and_leaves_earlier_appends_intact()
    {
        var store = Open();
        var acknowledged = new List<LogRecord>();
        var next = 1L;
        for (var i = 0; i < 3; i++)
        {
            var batch = TestData.Batch(next, 10, payloadLength: 1000);
            store.Append(batch);
            acknowledged.AddRange(batch);
            next += batch.Count;
        }

        ExpectSpaceToRunOut(store);
        StorageException? refusal = null;
        for (var attempts = 0; attempts < 1000 && refusal is null; attempts++)
        {
            var batch = TestData.Batch(next, 10, payloadLength: 1000);
            try
            {
                store.Append(batch);
                acknowledged.AddRange(batch);
                next += batch.Count;
            }
            catch (StorageException e)
            {
                refusal = e;
            }
        }

        Assert.NotNull(refusal);
        Assert.Equal(StorageFailure.Full, refusal.Failure);
        StoreAssert.LogEqual(acknowledged, store.Recover().Log, "a refused append leaves every acknowledged one intact and adds nothing");
        var restarted = Reopen(store);
        StoreAssert.LogEqual(acknowledged, restarted.Recover().Log, "and so it stays after a restart");

        // Dropping the log frees space; the store takes appends again, from where it was.
        restarted.Checkpoint([], acknowledged[^1].Sequence);
        restarted.Append(TestData.Batch(next, 2));
        StoreAssert.LogEqual(TestData.Batch(next, 2), restarted.Recover().Log, "appends continue after space is freed");
    }

    private static int CompareByCodePoint(string? x, string? y)
    {
        var a = (x ?? string.Empty).EnumerateRunes().Select(r => r.Value).ToArray();
        var b = (y ?? string.Empty).EnumerateRunes().Select(r => r.Value).ToArray();
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return a[i].CompareTo(b[i]);
            }
        }
        return a.Length.CompareTo(b.Length);
    }
}
