using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt.Tests.Internal;

/// <summary>
/// The chunked hash map against <see cref="Dictionary{TKey, TValue}"/> as a reference model, with an
/// invariant check after every step, across chunk boundaries, rehashes and free-list reuse.
/// </summary>
public sealed class ChunkedHashMapTests
{
    public static TheoryData<int, int> Seeds => new() { { 1, 3_000 }, { 2, 12_000 }, { 3, 40_000 } };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Behaves_like_a_dictionary_under_random_adds_updates_and_removes(int seed, int steps)
    {
        var random = new Random(seed);
        var map = new ChunkedHashMap<string, int>();
        var model = new Dictionary<string, int>();
        var keySpace = steps / 2;
        for (var step = 0; step < steps; step++)
        {
            var key = $"k{random.Next(keySpace)}";
            switch (random.Next(10))
            {
                case < 5:
                    map.Set(key, step);
                    model[key] = step;
                    break;
                case < 7:
                    Assert.True(map.TryAdd(key, step) == model.TryAdd(key, step), $"TryAdd({key}) agrees with the model at step {step}");
                    break;
                case < 9:
                    Assert.True(map.Remove(key) == model.Remove(key), $"Remove({key}) agrees with the model at step {step}");
                    break;
                default:
                    ref var slot = ref map.GetValueRefOrAddDefault(key, out var exists);
                    Assert.True(exists == model.ContainsKey(key), $"GetValueRefOrAddDefault({key}) reports existence like the model at step {step}");
                    slot = -step;
                    model[key] = -step;
                    break;
            }
            if (step % 997 == 0 || step == steps - 1)
            {
                AssertSame(map, model, step);
            }
        }
    }

    [Fact]
    public void A_presized_map_holds_exactly_what_was_added_across_chunk_boundaries()
    {
        const int count = ChunkedHashMap<int, int>.ChunkSize * 3 + 17;
        var map = new ChunkedHashMap<int, int>(count);
        for (var i = 0; i < count; i++)
        {
            Assert.True(map.TryAdd(i, i * 2), "a fresh key is added");
        }
        Assert.False(map.TryAdd(5, 0), "a present key is not added twice");
        var model = Enumerable.Range(0, count).ToDictionary(i => i, i => i * 2);
        AssertSame(map, model, count);
    }

    [Fact]
    public void A_clone_is_independent_of_its_source()
    {
        var map = new ChunkedHashMap<int, int>();
        for (var i = 0; i < 2_000; i++)
        {
            map.Set(i, i);
        }
        map.Remove(7);
        var copy = map.Clone(v => v + 1);
        map.Set(1, -1);
        map.Remove(2);
        Assert.True(copy.TryGetValue(1, out var one) && one == 2, "the clone keeps its own values");
        Assert.True(copy.ContainsKey(2), "removing from the source does not remove from the clone");
        Assert.False(copy.ContainsKey(7), "what was removed before cloning stays removed");
        Assert.Equal(1_999, copy.Count);
    }

    private static void AssertSame<TKey>(ChunkedHashMap<TKey, int> map, Dictionary<TKey, int> model, int step) where TKey : notnull
    {
        var failures = new List<string>();
        if (map.Count != model.Count)
        {
            failures.Add($"count {map.Count} vs model {model.Count}");
        }
        foreach (var (key, value) in model)
        {
            if (!map.TryGetValue(key, out var actual) || actual != value)
            {
                failures.Add($"{key} = {actual} vs model {value}");
            }
        }
        var live = 0;
        for (var slot = 0; slot < map.SlotCount; slot++)
        {
            if (map.IsLive(slot))
            {
                live++;
                ref var entry = ref map.EntryAt(slot);
                if (!model.TryGetValue(entry.Key, out var expected) || expected != entry.Value)
                {
                    failures.Add($"enumerated {entry.Key} = {entry.Value} is not in the model");
                }
            }
        }
        if (live != model.Count)
        {
            failures.Add($"enumeration yields {live} entries, the model holds {model.Count}");
        }
        Assert.True(failures.Count == 0, $"the map matches the dictionary after step {step}: {string.Join("; ", failures.Take(10))}");
    }
}
