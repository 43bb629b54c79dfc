using Jarvis.Crdt;

namespace Jarvis.Replication.Tests.Core;

/// <summary>Texts and lists replicate through the engine like every other type: deltas, loss, nesting, restart.</summary>
public sealed class SequenceReplicationTests
{
    [Fact]
    public void Three_replicas_typing_into_one_text_under_message_loss_converge_without_interleaving()
    {
        var cluster = new LoopbackCluster(3, seed: 11) { DropRate = 0.25 };
        cluster.Replicas[0].Update<FugueText>("doc", t => t.Insert(cluster.Replicas[0].Id, 0, "[]"));
        cluster.Run(500);
        cluster.DropRate = 0.25;
        var words = new[] { "alpha", "bravo", "charlie" };
        for (var i = 0; i < 3; i++)
        {
            var replica = cluster.Replicas[i];
            // Each replica types its word one character per write, all at the same place (between the brackets).
            for (var c = 0; c < words[i].Length; c++)
            {
                var at = 1 + c;
                replica.Update<FugueText>("doc", t => t.Insert(replica.Id, at, words[i][c].ToString()));
            }
        }
        cluster.Run(5_000);
        cluster.DropRate = 0;
        cluster.Run(2_000);

        var texts = cluster.Replicas.Select(r => r.Get<FugueText>("doc")!.ToString()).ToArray();
        Assert.True(texts.Distinct().Count() == 1, string.Join(" | ", texts));
        var text = texts[0];
        Assert.StartsWith("[", text, StringComparison.Ordinal);
        Assert.EndsWith("]", text, StringComparison.Ordinal);
        foreach (var word in words)
        {
            Assert.Contains(word, text, StringComparison.Ordinal);
        }
        Assert.Equal(2 + words.Sum(w => w.Length), text.Length);
        Assert.True(cluster.Replicas.Select(Digest).Distinct().Count() == 1, "identical states, byte for byte");
    }

    [Fact]
    public void Texts_nested_in_a_map_replicate_edits_deletes_and_a_concurrent_key_removal()
    {
        var cluster = new LoopbackCluster(2, seed: 5);
        var (x, y) = (cluster.Replicas[0], cluster.Replicas[1]);
        x.Update<ORMap<string, FugueText>>("notes", m => m.Update("todo", t => t.Insert(x.Id, 0, "buy milk")));
        cluster.Run(300);
        y.Update<ORMap<string, FugueText>>("notes", m => m.Update("todo", t => t.Delete(y.Id, 0, 4)));
        x.Update<ORMap<string, FugueText>>("notes", m => m.Update("todo", t => t.Insert(x.Id, 8, " and eggs")));
        cluster.Run(300);

        foreach (var replica in cluster.Replicas)
        {
            Assert.True(replica.Get<ORMap<string, FugueText>>("notes")!.TryGetValue("todo", out var text));
            Assert.Equal("milk and eggs", text.ToString());
        }

        // Removing the key while the other side types into it: only the concurrent typing survives.
        y.Update<ORMap<string, FugueText>>("notes", m => m.Remove("todo"));
        x.Update<ORMap<string, FugueText>>("notes", m => m.Update("todo", t => t.Insert(x.Id, 0, "!")));
        cluster.Run(300);
        foreach (var replica in cluster.Replicas)
        {
            Assert.True(replica.Get<ORMap<string, FugueText>>("notes")!.TryGetValue("todo", out var text));
            Assert.Equal("!", text.ToString());
        }
        Assert.True(cluster.Replicas.Select(Digest).Distinct().Count() == 1, "identical states, byte for byte");
    }

    [Fact]
    public void A_list_replicates_and_an_undo_travels_as_an_ordinary_delta()
    {
        var cluster = new LoopbackCluster(2, seed: 9);
        var (x, y) = (cluster.Replicas[0], cluster.Replicas[1]);
        x.Update<FugueList<string>>("tasks", l => l.Insert(x.Id, 0, "draft"));
        x.Update<FugueList<string>>("tasks", l => l.Insert(x.Id, 1, "review"));
        cluster.Run(300);
        Assert.Equal(["draft", "review"], y.Get<FugueList<string>>("tasks")!.ToArray());

        // Undo history belongs to the instance that made the edits: here the replica's own state.
        x.Update<FugueList<string>>("tasks", l => l.Undo(x.Id)!);
        cluster.Run(300);
        Assert.Equal(["draft"], y.Get<FugueList<string>>("tasks")!.ToArray());
        Assert.Equal(["draft"], x.Get<FugueList<string>>("tasks")!.ToArray());
    }

    private static string Digest(ReplicaCore replica)
        => string.Join("|", replica.Keys.Order(StringComparer.Ordinal).Select(k =>
        {
            replica.TryGetState(k, out var state, out var type);
            return k + "=" + Convert.ToHexString(type!.Encode(state!));
        }));
}
