namespace Jarvis.Crdt;

/// <summary>
/// The quorum rule of a <see cref="Ballot{TOption}"/>: part of the ballot's identity, fixed when it is
/// opened. Every rule is "the measure of the voters for one option reaches a threshold", where the measure
/// is weight (Majority, Unanimity, Weighted) or heads (KOfN), and the threshold is more than half the
/// electorate's total measure, so two options can never both reach it. Immutable and thread-safe.
/// </summary>
/// <param name="Kind">The kind of rule.</param>
/// <param name="Value">k for <see cref="QuorumKind.KOfN"/>, the weight threshold for <see cref="QuorumKind.Weighted"/>, 0 otherwise.</param>
public readonly record struct QuorumRule(QuorumKind Kind, ulong Value)
{
    /// <summary>Strictly more than half of the total weight for one option.</summary>
    public static QuorumRule Majority => new(QuorumKind.Majority, 0);

    /// <summary>Every voter, for the same option.</summary>
    public static QuorumRule Unanimity => new(QuorumKind.Unanimity, 0);

    /// <summary>At least <paramref name="k"/> voters for one option; the ballot requires 2k &gt; n.</summary>
    public static QuorumRule KOfN(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return new(QuorumKind.KOfN, (ulong)k);
    }

    /// <summary>Voters whose weights sum to at least <paramref name="threshold"/> for one option; the ballot requires 2 × threshold &gt; total weight.</summary>
    public static QuorumRule Weighted(ulong threshold)
    {
        ArgumentOutOfRangeException.ThrowIfZero(threshold);
        return new(QuorumKind.Weighted, threshold);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        QuorumKind.KOfN => $"KOfN({Value})",
        QuorumKind.Weighted => $"Weighted({Value})",
        _ => Kind.ToString(),
    };
}
