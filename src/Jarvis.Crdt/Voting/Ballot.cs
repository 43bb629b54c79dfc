using System.Diagnostics.CodeAnalysis;
using Jarvis.Crdt.Encoding;
using Jarvis.Crdt.Internal;

namespace Jarvis.Crdt;

/// <summary>
/// A vote among a fixed, weighted electorate under a quorum rule, whose decision is a monotonic function of
/// the votes: once any replica sees a decision, every replica that has seen those votes reaches the same
/// one, and no later vote changes it.
/// </summary>
/// <remarks>
/// <para>State: the ballot's terms (electorate with weights, and the quorum rule; its identity, fixed when
/// it is opened) and per voter a write-once cell holding its vote. The bottom state is a ballot not yet
/// opened; joining an opened ballot into it adopts the terms. Joining two ballots with different terms
/// throws <see cref="BallotMismatchException"/>.</para>
/// <para>Votes are final (no re-vote): a second <see cref="Vote"/> for a voter throws
/// <see cref="AlreadyVotedException"/>. A voter votes only at its own replica, so each cell has exactly one
/// writer and no two replicas can write it concurrently. Should a misbehaving deployment write one voter's
/// cell from two places, the join still converges: the smaller option in the codec's order wins.</para>
/// <para>Every quorum rule is "the measure (weight, or heads for KOfN) of the voters for one option reaches a
/// threshold greater than half the electorate's total measure", so two options never both reach it, and
/// since votes only accumulate the decision never changes once reached. <see cref="BallotStatus.Impossible"/>
/// (no option can still reach the quorum) is just as stable.</para>
/// <para>A causal CRDT whose store holds no dots: the terms and the cells are the grow-only lattice above,
/// and the context only rides along (joined, encoded, shared with the root when nested). So it nests in
/// <see cref="ORMap{TKey, TValue}"/>, where it is a permanent record: a map removal observes no dots and
/// changes nothing, and the key stays once the ballot is open, because erasing votes could turn a decided
/// ballot undecided. To retire ballots use a new key per question, or keep an index of closed ones.</para>
/// <para>Not thread-safe. Deterministic encoding: the context, then the terms and votes.</para>
/// </remarks>
/// <typeparam name="TOption">The option type; needs a <see cref="ValueCodec{T}"/> to be encoded.</typeparam>
public sealed class Ballot<TOption> : ICausalCrdt<Ballot<TOption>>, IPrunable, IJoinChecked<Ballot<TOption>>
    where TOption : notnull
{
    private BallotTerms? _terms;
    private TOption[] _options = [];
    private bool[] _cast = [];

    /// <summary>Creates a ballot that is not yet opened (the bottom state): it learns its terms by a join or by <see cref="Open(IEnumerable{ReplicaId}, QuorumRule)"/>.</summary>
    public Ballot()
        : this(new CausalContext())
    {
    }

    /// <summary>Creates an opened ballot in which every voter weighs 1.</summary>
    /// <exception cref="ArgumentException">The electorate is empty or repeats a voter, or the rule does not fit it.</exception>
    public Ballot(IEnumerable<ReplicaId> voters, QuorumRule rule)
        : this() => Open(voters, rule);

    /// <summary>Creates an opened ballot with weighted voters.</summary>
    /// <exception cref="ArgumentException">The electorate is empty or has a zero weight, or the rule does not fit it.</exception>
    public Ballot(IReadOnlyDictionary<ReplicaId, uint> electorate, QuorumRule rule)
        : this() => Open(electorate, rule);

    private Ballot(CausalContext context) => Context = context;

    /// <inheritdoc/>
    public static CrdtTypeCode TypeCode => CrdtTypeCode.Ballot;

    /// <summary>The causal context: its own at the top level, its root's when nested. The ballot mints no dots, so it only rides along.</summary>
    public CausalContext Context { get; }

    /// <summary>Whether the ballot is bottom: not opened (an opened ballot is never empty, so a map keeps its key).</summary>
    public bool IsEmpty => _terms is null;

    /// <summary>Always 0: terms and votes are not dots, so no removal can observe them.</summary>
    public int DotCount => 0;

    /// <summary>Whether the ballot's terms are known (it was opened here or joined an opened ballot).</summary>
    public bool IsOpen => _terms is not null;

    /// <summary>The quorum rule, or null before the ballot is opened.</summary>
    public QuorumRule? Rule => _terms?.Rule;

    /// <summary>The voters in ascending id order, with their weights; empty before the ballot is opened.</summary>
    public IReadOnlyList<KeyValuePair<ReplicaId, uint>> Electorate
        => _terms is null ? [] : [.. _terms.Voters.Select((v, i) => KeyValuePair.Create(v, _terms.Weights[i]))];

    /// <summary>The sum of the voters' weights; 0 before the ballot is opened.</summary>
    public ulong TotalWeight => _terms?.TotalWeight ?? 0;

    /// <summary>What one option needs: a weight, or a number of voters for KOfN. 0 before the ballot is opened.</summary>
    public ulong Threshold => _terms?.Threshold ?? 0;

    /// <summary>How many voters have voted.</summary>
    public int VoteCount => _cast.Count(c => c);

    /// <summary>The votes cast, in ascending voter order.</summary>
    public IEnumerable<KeyValuePair<ReplicaId, TOption>> Votes
    {
        get
        {
            for (var i = 0; i < _cast.Length; i++)
            {
                if (_cast[i])
                {
                    yield return KeyValuePair.Create(_terms!.Voters[i], _options[i]);
                }
            }
        }
    }

    /// <summary>The outcome as far as this replica has seen: monotonic in the votes (see the remarks).</summary>
    public BallotDecision<TOption> Decision
    {
        get
        {
            if (_terms is null)
            {
                return default;
            }
            ulong best = 0;
            ulong cast = 0;
            foreach (var (option, measure) in Tally())
            {
                if (measure >= _terms.Threshold)
                {
                    return new(BallotStatus.Decided, option);
                }
                best = Math.Max(best, measure);
                cast += measure;
            }
            // The strongest option, given every outstanding voter, is the best any option can still do.
            return best + (_terms.TotalMeasure - cast) < _terms.Threshold ? new(BallotStatus.Impossible, default) : default;
        }
    }

    /// <inheritdoc/>
    public static Ballot<TOption> CreateEmpty() => new();

    /// <inheritdoc/>
    public static Ballot<TOption> CreateEmpty(CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(context);
    }

    /// <summary>Whether <paramref name="voter"/> is in the electorate.</summary>
    public bool IsElector(ReplicaId voter) => _terms is not null && _terms.IndexOf(voter) >= 0;

    /// <summary>The vote recorded for <paramref name="voter"/>, if any.</summary>
    public bool TryGetVote(ReplicaId voter, [MaybeNullWhen(false)] out TOption option)
    {
        var index = _terms?.IndexOf(voter) ?? -1;
        if (index >= 0 && _cast[index])
        {
            option = _options[index];
            return true;
        }
        option = default;
        return false;
    }

    /// <summary>Per option that has votes, the measure of its voters: their weight, or their number under KOfN.</summary>
    public IReadOnlyDictionary<TOption, ulong> Tally()
    {
        var tally = new Dictionary<TOption, ulong>();
        for (var i = 0; i < _cast.Length; i++)
        {
            if (_cast[i])
            {
                tally[_options[i]] = tally.GetValueOrDefault(_options[i]) + _terms!.MeasureOf(i);
            }
        }
        return tally;
    }

    /// <summary>Opens the ballot with voters who each weigh 1; opening again with the same terms does nothing.</summary>
    /// <returns>The delta: the terms alone.</returns>
    /// <exception cref="ArgumentException">The electorate is empty or repeats a voter, or the rule does not fit it.</exception>
    /// <exception cref="BallotMismatchException">The ballot is already open with other terms.</exception>
    public Ballot<TOption> Open(IEnumerable<ReplicaId> voters, QuorumRule rule)
    {
        ArgumentNullException.ThrowIfNull(voters);
        return Open(BallotTerms.Create(voters.Select(v => KeyValuePair.Create(v, 1u)), rule));
    }

    /// <summary>Opens the ballot with weighted voters; opening again with the same terms does nothing.</summary>
    /// <returns>The delta: the terms alone.</returns>
    /// <exception cref="ArgumentException">The electorate is empty or has a zero weight, or the rule does not fit it.</exception>
    /// <exception cref="BallotMismatchException">The ballot is already open with other terms.</exception>
    public Ballot<TOption> Open(IReadOnlyDictionary<ReplicaId, uint> electorate, QuorumRule rule) => Open(BallotTerms.Create(electorate, rule));

    /// <summary>Records <paramref name="voter"/>'s vote. Call it at the voter's own replica: each voter's cell has that one writer.</summary>
    /// <returns>The delta: the terms and this one vote.</returns>
    /// <exception cref="InvalidOperationException">The ballot is not open.</exception>
    /// <exception cref="NotAnElectorException">The voter is not in the electorate; nothing changed.</exception>
    /// <exception cref="AlreadyVotedException">The voter has already voted (here, or in a state joined here); nothing changed.</exception>
    public Ballot<TOption> Vote(ReplicaId voter, TOption option)
    {
        var index = ElectorIndex(voter, option);
        if (_cast[index])
        {
            throw new AlreadyVotedException(voter, _options[index]);
        }
        return Cast(index, option);
    }

    /// <summary>Records the vote unless <paramref name="voter"/> has already voted.</summary>
    /// <returns>Whether it did; on false nothing changed and <paramref name="delta"/> is null.</returns>
    /// <exception cref="InvalidOperationException">The ballot is not open.</exception>
    /// <exception cref="NotAnElectorException">The voter is not in the electorate.</exception>
    public bool TryVote(ReplicaId voter, TOption option, [NotNullWhen(true)] out Ballot<TOption>? delta)
    {
        var index = ElectorIndex(voter, option);
        delta = _cast[index] ? null : Cast(index, option);
        return delta is not null;
    }

    /// <inheritdoc/>
    /// <exception cref="BallotMismatchException">Both ballots are open with different terms; nothing changed.</exception>
    public bool Join(Ballot<TOption> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        var storeChanged = JoinStore(other, Context, other.Context);
        return Context.UnionWith(other.Context) | storeChanged;
    }

    /// <summary>Why a join would be refused: both ballots are open, with different terms. Null otherwise.</summary>
    public string? JoinConflict(Ballot<TOption> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _terms is not null && other._terms is not null && !_terms.Equals(other._terms)
            ? $"ballot {other._terms} is not ballot {_terms}: the electorate and quorum rule are a ballot's identity"
            : null;
    }

    /// <summary>The grow-only join of terms and cells; the contexts play no part (the store holds no dots).</summary>
    /// <exception cref="BallotMismatchException">Both ballots are open with different terms; nothing changed.</exception>
    public bool JoinStore(Ballot<TOption> other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other) || other._terms is null)
        {
            return false;
        }
        if (_terms is null)
        {
            Adopt(other._terms);
            other._cast.CopyTo(_cast, 0);
            other._options.CopyTo(_options, 0);
            return true;
        }
        if (!_terms.Equals(other._terms))
        {
            throw new BallotMismatchException($"Cannot join ballot {other._terms} into ballot {_terms}: the electorate and quorum rule are a ballot's identity.");
        }
        var changed = false;
        for (var i = 0; i < other._cast.Length; i++)
        {
            if (other._cast[i] && (!_cast[i] || Wins(other._options[i], _options[i])))
            {
                _cast[i] = true;
                _options[i] = other._options[i];
                changed = true;
            }
        }
        return changed;
    }

    /// <summary>
    /// What a map removal does to the ballot: nothing. Votes are not dots, so no removal observes them, and
    /// erasing one could undo a decision.
    /// </summary>
    /// <returns>Always false.</returns>
    public bool RemoveCovered(CausalContext otherContext) => false;

    /// <summary>Adds nothing: the ballot holds no dots, so a map removal's delta names none of it.</summary>
    public void CollectDots(CausalContext into)
    {
    }

    /// <summary>Always false: the ballot holds no dots.</summary>
    public bool HoldsDotsOf(ReplicaId replica) => false;

    /// <summary>Drops the replica from the context; votes are data, not metadata, and are kept.</summary>
    public bool Forget(ReplicaId replica) => Context.Remove(replica);

    /// <inheritdoc/>
    public Ballot<TOption> Clone() => CloneStore(Context.Clone());

    /// <inheritdoc/>
    public Ballot<TOption> CloneStore(CausalContext context) => new(context)
    {
        _terms = _terms,
        _cast = (bool[])_cast.Clone(),
        _options = (TOption[])_options.Clone(),
    };

    /// <summary>Writes the context, then the store (see <see cref="WriteStore"/>).</summary>
    public void WriteTo(CrdtWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Context.WriteTo(writer);
        WriteStore(writer, Context);
    }

    /// <summary>Writes 0 for an unopened ballot; else 1, the terms, and the votes by ascending voter position.</summary>
    public void WriteStore(CrdtWriter writer, CausalContext context)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_terms is null)
        {
            writer.WriteByte(0);
            return;
        }
        writer.WriteByte(1);
        _terms.WriteTo(writer);
        writer.WriteLength(VoteCount);
        var codec = ValueCodec<TOption>.Default;
        for (var i = 0; i < _cast.Length; i++)
        {
            if (_cast[i])
            {
                writer.WriteVarUInt((ulong)i);
                codec.Write(writer, _options[i]);
            }
        }
    }

    /// <inheritdoc/>
    public static Ballot<TOption> ReadFrom(ref CrdtReader reader)
    {
        var context = CausalContext.ReadFrom(ref reader);
        return ReadStore(ref reader, context);
    }

    /// <inheritdoc/>
    public static Ballot<TOption> ReadStore(ref CrdtReader reader, CausalContext context)
    {
        var ballot = new Ballot<TOption>(context);
        switch (reader.ReadByte())
        {
            case 0:
                return ballot;
            case 1:
                break;
            default:
                throw reader.Error("Invalid ballot tag");
        }
        ballot.Adopt(BallotTerms.ReadFrom(ref reader));
        var count = reader.ReadCount(minBytesPerItem: 2);
        if (count > ballot._cast.Length)
        {
            throw reader.Error($"{count} votes in an electorate of {ballot._cast.Length}");
        }
        var codec = ValueCodec<TOption>.Default;
        var previous = -1L;
        for (var i = 0; i < count; i++)
        {
            var index = (long)reader.ReadVarUInt32();
            if (index <= previous || index >= ballot._cast.Length)
            {
                throw reader.Error($"Vote for voter position {index} is out of order or outside the electorate");
            }
            ballot._options[index] = codec.Read(ref reader);
            if (ballot._options[index] is null)
            {
                throw reader.Error("A vote for no option");
            }
            ballot._cast[index] = true;
            previous = index;
        }
        return ballot;
    }

    /// <inheritdoc/>
    public override string ToString()
        => _terms is null ? "(not opened)" : $"{Decision}: {string.Join(", ", Votes.Select(v => $"{v.Key}={v.Value}"))} under {_terms}";

    /// <summary>Of two different votes written to one cell (only a misbehaving deployment does that), the smaller option in codec order wins.</summary>
    private static bool Wins(TOption incoming, TOption current)
        => !EqualityComparer<TOption>.Default.Equals(incoming, current) && ValueCodec<TOption>.Default.Compare(incoming, current) < 0;

    private Ballot<TOption> Open(BallotTerms terms)
    {
        if (_terms is null)
        {
            Adopt(terms);
        }
        else if (!_terms.Equals(terms))
        {
            throw new BallotMismatchException($"The ballot is already open as {_terms}; it cannot be reopened as {terms}.");
        }
        return new Ballot<TOption> { _terms = _terms, _cast = new bool[_cast.Length], _options = new TOption[_cast.Length] };
    }

    private void Adopt(BallotTerms terms)
    {
        _terms = terms;
        _cast = new bool[terms.Voters.Length];
        _options = new TOption[terms.Voters.Length];
    }

    private int ElectorIndex(ReplicaId voter, TOption option)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (_terms is null)
        {
            throw new InvalidOperationException("The ballot is not open: open it, or join an opened ballot, before voting.");
        }
        var index = _terms.IndexOf(voter);
        return index >= 0 ? index : throw new NotAnElectorException(voter);
    }

    private Ballot<TOption> Cast(int index, TOption option)
    {
        _cast[index] = true;
        _options[index] = option;
        var delta = new Ballot<TOption>();
        delta.Adopt(_terms!);
        delta._cast[index] = true;
        delta._options[index] = option;
        return delta;
    }
}
