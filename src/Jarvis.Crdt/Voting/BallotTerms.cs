using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt.Internal;

/// <summary>
/// The identity of a ballot: its electorate (voters in ascending id order with their weights) and its quorum
/// rule, reduced to one threshold on one measure (weight or heads). Immutable, so states of one ballot
/// share a single instance.
/// </summary>
internal sealed class BallotTerms : IEquatable<BallotTerms>
{
    private BallotTerms(ReplicaId[] voters, uint[] weights, QuorumRule rule, ulong totalWeight)
    {
        Voters = voters;
        Weights = weights;
        Rule = rule;
        TotalWeight = totalWeight;
        CountsHeads = rule.Kind == QuorumKind.KOfN;
        TotalMeasure = CountsHeads ? (ulong)voters.Length : totalWeight;
        Threshold = rule.Kind switch
        {
            QuorumKind.Majority => (totalWeight / 2) + 1,
            QuorumKind.Unanimity => totalWeight,
            _ => rule.Value,
        };
    }

    public ReplicaId[] Voters { get; }

    public uint[] Weights { get; }

    public QuorumRule Rule { get; }

    public ulong TotalWeight { get; }

    /// <summary>Whether the rule counts voters (KOfN) rather than weight.</summary>
    public bool CountsHeads { get; }

    /// <summary>The measure of the whole electorate: its head count or its total weight.</summary>
    public ulong TotalMeasure { get; }

    /// <summary>The measure one option needs; always more than half of <see cref="TotalMeasure"/>.</summary>
    public ulong Threshold { get; }

    public static BallotTerms Create(IEnumerable<KeyValuePair<ReplicaId, uint>> electorate, QuorumRule rule)
    {
        ArgumentNullException.ThrowIfNull(electorate);
        var members = electorate.OrderBy(m => m.Key).ToArray();
        if (members.Length == 0)
        {
            throw new ArgumentException("A ballot needs at least one voter.", nameof(electorate));
        }
        ulong total = 0;
        for (var i = 0; i < members.Length; i++)
        {
            if (members[i].Key.IsNone)
            {
                throw new ArgumentException("ReplicaId.None cannot vote.", nameof(electorate));
            }
            if (i > 0 && members[i].Key == members[i - 1].Key)
            {
                throw new ArgumentException($"Voter {members[i].Key} appears twice in the electorate.", nameof(electorate));
            }
            if (members[i].Value == 0)
            {
                throw new ArgumentException($"Voter {members[i].Key} has weight 0; every voter weighs at least 1.", nameof(electorate));
            }
            total += members[i].Value;
        }
        var problem = RuleProblem(rule, members.Length, total);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(rule));
        }
        return new([.. members.Select(m => m.Key)], [.. members.Select(m => m.Value)], rule, total);
    }

    /// <summary>The voter's position in <see cref="Voters"/>, or a negative number if it is not a member.</summary>
    public int IndexOf(ReplicaId voter) => Array.BinarySearch(Voters, voter);

    /// <summary>What one voter contributes to its option: 1 when counting heads, else its weight.</summary>
    public ulong MeasureOf(int index) => CountsHeads ? 1 : Weights[index];

    public void WriteTo(CrdtWriter writer)
    {
        writer.WriteByte((byte)Rule.Kind);
        if (Rule.Kind is QuorumKind.KOfN or QuorumKind.Weighted)
        {
            writer.WriteVarUInt(Rule.Value);
        }
        writer.WriteLength(Voters.Length);
        for (var i = 0; i < Voters.Length; i++)
        {
            writer.WriteVarUInt(Voters[i].Value);
            writer.WriteVarUInt(Weights[i]);
        }
    }

    public static BallotTerms ReadFrom(ref CrdtReader reader)
    {
        var kind = (QuorumKind)reader.ReadByte();
        if (kind is not (QuorumKind.Majority or QuorumKind.Unanimity or QuorumKind.KOfN or QuorumKind.Weighted))
        {
            throw reader.Error($"Unknown quorum kind {(int)kind}");
        }
        var rule = new QuorumRule(kind, kind is QuorumKind.KOfN or QuorumKind.Weighted ? reader.ReadNonZeroVarUInt() : 0);
        var count = reader.ReadCount(minBytesPerItem: 2);
        if (count == 0)
        {
            throw reader.Error("A ballot's electorate is empty");
        }
        var voters = new ReplicaId[count];
        var weights = new uint[count];
        ulong total = 0;
        for (var i = 0; i < count; i++)
        {
            voters[i] = new ReplicaId(reader.ReadNonZeroVarUInt());
            if (i > 0 && voters[i] <= voters[i - 1])
            {
                throw reader.Error("Voters are not in strictly ascending order");
            }
            weights[i] = reader.ReadVarUInt32();
            if (weights[i] == 0)
            {
                throw reader.Error($"Voter {voters[i]} has weight 0");
            }
            total += weights[i];
        }
        var problem = RuleProblem(rule, count, total);
        return problem is null ? new(voters, weights, rule, total) : throw reader.Error(problem);
    }

    public bool Equals(BallotTerms? other)
        => other is not null
           && (ReferenceEquals(this, other)
               || (Rule == other.Rule && Voters.AsSpan().SequenceEqual(other.Voters) && Weights.AsSpan().SequenceEqual(other.Weights)));

    public override bool Equals(object? obj) => Equals(obj as BallotTerms);

    public override int GetHashCode() => HashCode.Combine(Rule, Voters.Length, TotalWeight);

    public override string ToString()
        => $"{Rule} of [{string.Join(", ", Voters.Select((v, i) => Weights[i] == 1 ? v.ToString() : $"{v}×{Weights[i]}"))}]";

    /// <summary>
    /// Why a rule cannot govern an electorate, or null if it can. Every threshold must exceed half of the
    /// total measure: then the voters for two different options, disjoint sets, cannot both reach it, and
    /// a decision once reached is the only one any superset of the votes can reach.
    /// </summary>
    private static string? RuleProblem(QuorumRule rule, int voters, ulong totalWeight) => rule.Kind switch
    {
        QuorumKind.Majority or QuorumKind.Unanimity => rule.Value == 0 ? null : $"{rule.Kind} takes no value",
        QuorumKind.KOfN when rule.Value > (ulong)voters => $"KOfN({rule.Value}) needs more voters than the {voters} in the electorate",
        QuorumKind.KOfN when rule.Value <= (ulong)voters / 2 => $"KOfN({rule.Value}) of {voters} lets two options both reach the quorum: k must exceed n/2",
        QuorumKind.Weighted when rule.Value > totalWeight => $"Weighted({rule.Value}) exceeds the electorate's total weight {totalWeight}",
        QuorumKind.Weighted when rule.Value <= totalWeight / 2 => $"Weighted({rule.Value}) of total weight {totalWeight} lets two options both reach the quorum: the threshold must exceed half the total",
        QuorumKind.KOfN or QuorumKind.Weighted => rule.Value == 0 ? $"{rule.Kind} needs a value of at least 1" : null,
        _ => $"Unknown quorum kind {(int)rule.Kind}",
    };
}
