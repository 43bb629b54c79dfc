using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// Collaborative text: an ordered sequence CRDT of UTF-16 code units (see <see cref="FugueSequence{TSelf, T}"/>
/// for its conflict rules). Indices count UTF-16 code units, as <see cref="string"/> does.
/// </summary>
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
    public FugueText Insert(ReplicaId replica, int index, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Insert(replica, index, text.AsSpan());
    }

    /// <summary>Deletes <paramref name="length"/> characters and inserts <paramref name="text"/> at <paramref name="index"/>, without a delta (see <see cref="FugueSequence{TSelf, T}.Splice"/>).</summary>
    public void Splice(ReplicaId replica, int index, int length, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Splice(replica, index, length, text.AsSpan());
    }

    /// <summary>The visible text.</summary>
    public override string ToString() => string.Create(Length, Core, static (span, core) => core.CopyVisible(span));
}
