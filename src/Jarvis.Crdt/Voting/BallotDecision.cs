namespace Jarvis.Crdt;

/// <summary>The outcome of a <see cref="Ballot{TOption}"/> as far as a replica has seen it. Immutable.</summary>
/// <typeparam name="TOption">The option type.</typeparam>
/// <param name="Status">Undecided, decided or impossible.</param>
/// <param name="Option">The decided option when <paramref name="Status"/> is <see cref="BallotStatus.Decided"/>; otherwise default.</param>
public readonly record struct BallotDecision<TOption>(BallotStatus Status, TOption? Option)
    where TOption : notnull
{
    /// <summary>Whether an option has been decided.</summary>
    public bool IsDecided => Status == BallotStatus.Decided;

    /// <inheritdoc/>
    public override string ToString() => Status == BallotStatus.Decided ? $"Decided({Option})" : Status.ToString();
}
