using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// Collaborative text: an ordered sequence CRDT of UTF-16 code units (see <see cref="FugueSequence{TSelf, T}"/>
/// for its conflict rules). Indices count UTF-16 code units, as <see cref="string"/> does.
/// </summary>
/// <remarks>
/// <para>Characters stay whole. A local edit may not start or end between the two code units of a surrogate pair
/// (<see cref="SurrogatePairSplitException"/>), and inserted text must be well-formed UTF-16, with no lone surrogate
/// (<see cref="ArgumentException"/>); a refused edit changes nothing. So every pair is written by one insert, as
/// one run, and is deleted whole; a concurrent insert is placed next to an element its writer saw, never inside
/// another writer's run (FugueMax); undo deletes whole insertions and restores whole deletions after their own
/// tombstones. Text built only from such edits is therefore well-formed on every replica, whatever the merge
/// order. Joins never refuse: a state received from elsewhere is taken as it is.</para>
/// </remarks>
/// <example>
/// <code>
/// var a = new FugueText();
/// var delta = a.Insert(replicaA, 0, "hello");
/// b.Join(delta);                       // b now reads "hello"
/// a.Splice(replicaA, 5, 0, " world");  // local editing without a delta
/// b.ApplyUpdate(a.EncodeUpdateSince(b.Context));
/// </code>
/// </example>
public sealed class FugueText : FugueSequence<FugueText, char>, ICausalCrdt<FugueText>
{
    /// <summary>Creates an empty text.</summary>
    public FugueText()
        : base(new CausalContext())
    {
    }

    private FugueText(CausalContext context)
        : base(context)
    {
    }

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.FugueText;

    /// <summary>The number of visible characters (UTF-16 code units).</summary>
    public int Length => VisibleCount;

    /// <inheritdoc/>
    public static FugueText CreateEmpty() => new();

    /// <inheritdoc/>
    public static FugueText CreateEmpty(CausalContext context) => new(context);

    /// <summary>Inserts text so that it starts at <paramref name="index"/>.</summary>
    /// <returns>The delta.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..Length.</exception>
    /// <exception cref="SurrogatePairSplitException"><paramref name="index"/> lies inside a surrogate pair; nothing changed.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds a lone surrogate; nothing changed.</exception>
    public FugueText Insert(ReplicaId replica, int index, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Insert(replica, index, text.AsSpan());
    }

    /// <summary>Deletes <paramref name="length"/> characters and inserts <paramref name="text"/> at <paramref name="index"/>, without a delta (see <see cref="FugueSequence{TSelf, T}.Splice"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within 0..Length.</exception>
    /// <exception cref="SurrogatePairSplitException">The range starts or ends inside a surrogate pair; nothing changed.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> holds a lone surrogate; nothing changed.</exception>
    public void Splice(ReplicaId replica, int index, int length, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Splice(replica, index, length, text.AsSpan());
    }

    /// <summary>Refuses an edit that would split a surrogate pair or insert a lone surrogate (see the remarks).</summary>
    private protected override void CheckEdit(int index, int deleteCount, ReadOnlySpan<char> insert)
    {
        if (SplitsPair(index))
        {
            throw new SurrogatePairSplitException(nameof(index), index);
        }
        if (deleteCount > 0 && SplitsPair(index + deleteCount))
        {
            throw new SurrogatePairSplitException(nameof(deleteCount), index + deleteCount);
        }
        var lone = IndexOfLoneSurrogate(insert);
        if (lone >= 0)
        {
            throw new ArgumentException($"The text is not well-formed UTF-16: a lone surrogate U+{(int)insert[lone]:X4} at offset {lone}. Nothing was changed.", nameof(insert));
        }
    }

    /// <summary>Whether the visible text has a high surrogate just before <paramref name="index"/> and a low one at it.</summary>
    private bool SplitsPair(int index)
        => index > 0 && index < Length && Core.MayHoldSurrogates && char.IsHighSurrogate(Core.ItemAt(index - 1)) && char.IsLowSurrogate(Core.ItemAt(index));

    /// <summary>The offset of the first surrogate that is not half of a pair, or -1.</summary>
    private static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        // Vectorised search: text without surrogates (nearly all of it) costs one pass and no loop below.
        var first = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return -1;
        }
        for (var i = first; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The visible text.</summary>
    public override string ToString() => string.Create(Length, Core, static (span, core) => core.CopyVisible(span));
}
