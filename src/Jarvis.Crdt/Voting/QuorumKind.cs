namespace Jarvis.Crdt;

/// <summary>
/// How a <see cref="Ballot{TOption}"/> decides. The numbers are written to disk and to the wire: they are
/// frozen.
/// </summary>
public enum QuorumKind
{
    /// <summary>One option holds strictly more than half of the electorate's total weight.</summary>
    Majority = 1,

    /// <summary>Every voter voted, all for the same option.</summary>
    Unanimity = 2,

    /// <summary>At least k voters (heads, weights ignored) voted for one option; 2k &gt; n.</summary>
    KOfN = 3,

    /// <summary>The weights of the voters for one option sum to at least a threshold; 2 × threshold &gt; total weight.</summary>
    Weighted = 4,
}
