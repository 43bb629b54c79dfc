using System.Reflection;
using Jarvis.Crdt.Sequences;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>
/// The sequence invariant check bites: each invariant, broken by hand in a healthy text, makes
/// <see cref="FugueText.CheckInvariants"/> throw with a message naming it.
/// </summary>
public sealed class SequenceInvariantTests
{
    private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;

    /// <summary>"hello world" by A, ',' inserted at 5, 'h' deleted: runs 'h' (deleted), "ello", ",", " world".</summary>
    private static FugueText Healthy()
    {
        var text = new FugueText();
        text.Insert(A, 0, "hello world");
        text.Insert(A, 5, ",");
        text.Delete(A, 0, 1);
        text.CheckInvariants();
        Rule.Equal("ello, world", text.ToString(), "the healthy text");
        return text;
    }

    /// <summary>A text holding a pending run: the second insert of another text without the first.</summary>
    private static FugueText WithPending()
    {
        var source = new FugueText();
        source.Insert(A, 0, "abc");
        var second = source.Insert(A, 1, "x");
        var text = new FugueText();
        text.Join(second);
        text.CheckInvariants();
        Rule.Equal(1, text.PendingCount, "the healthy text holds one pending item");
        return text;
    }

    private static RunTree Tree(FugueText text) => (RunTree)typeof(SequenceCore<char>).GetField("_tree", Private)!.GetValue(text.Core)!;

    private static void IndexSet(FugueText text, long id, int length, int value)
        => typeof(SequenceCore<char>).GetMethod("IndexSet", Private)!.Invoke(text.Core, [id, length, value]);

    public static TheoryData<string, string> Corruptions => new()
    {
        { "a leaf's visible count one too high", "a leaf's counts are its runs' sums" },
        { "an item's id index entry cleared", "the id index finds every item in its leaf" },
        { "an id index entry for an item not in the document", "the id index holds exactly the document's items" },
        { "a run split in two that continue each other", "runs are maximal within a leaf" },
        { "two runs pointing at the same content", "no two items share content" },
        { "a run's origin left moved after it", "an item's origin left lies before it" },
        { "a run's origin right moved before it", "an item's origin right lies after it" },
        { "the pending item count one too high", "the pending counts are the pending runs' sums" },
        { "a pending item also indexed in the document", "a pending item is not in the document" },
        { "the context forgetting the items' replica", "the context holds the dot of every item held" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Each_invariant_broken_by_hand_is_named_by_the_check(string corruption, string invariant)
    {
        var text = corruption.Contains("pending", StringComparison.Ordinal) ? WithPending() : Healthy();
        var leaf = Tree(text).First;
        switch (corruption)
        {
            case "a leaf's visible count one too high":
                leaf.Live++;
                break;
            case "an item's id index entry cleared":
                IndexSet(text, leaf.Spans[1].Id + 2, 1, 0);
                break;
            case "an id index entry for an item not in the document":
                IndexSet(text, leaf.Spans[3].Id + 1_000, 1, leaf.Number + 1);
                break;
            case "a run split in two that continue each other":
                var world = leaf.Spans[3];
                leaf.Spans[3].Length = 3;
                leaf.Insert(4, world with { Id = world.Id + 3, Length = world.Length - 3, Left = world.Id + 2, Content = world.Content + 3 });
                break;
            case "two runs pointing at the same content":
                leaf.Spans[3].Content = leaf.Spans[1].Content;
                break;
            case "a run's origin left moved after it":
                leaf.Spans[0].Left = leaf.Spans[3].Id;
                break;
            case "a run's origin right moved before it":
                leaf.Spans[2].Right = leaf.Spans[1].Id;
                break;
            case "the pending item count one too high":
                typeof(SequenceCore<char>).GetField("_pendingItems", Private)!.SetValue(text.Core, text.PendingCount + 1);
                break;
            case "a pending item also indexed in the document":
                IndexSet(text, text.Core.FromDot(new Dot(A, 4)), 1, leaf.Number + 1);
                break;
            case "the context forgetting the items' replica":
                Assert.True(text.Context.Remove(A), "the context held the items' replica");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(corruption), corruption, "no such corruption");
        }
        var broken = Assert.Throws<InvalidOperationException>(text.CheckInvariants);
        Assert.True(broken.Message.Contains(invariant, StringComparison.Ordinal), $"{corruption}: the check names the invariant \"{invariant}\", but says: {broken.Message}");
    }
}
