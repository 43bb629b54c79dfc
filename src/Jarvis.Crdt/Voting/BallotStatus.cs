namespace Jarvis.Crdt;

/// <summary>Where a <see cref="Ballot{TOption}"/> stands. Undecided moves to Decided or Impossible, never back.</summary>
public enum BallotStatus
{
    /// <summary>No option has reached the quorum, and one still can.</summary>
    Undecided = 0,

    /// <summary>One option has reached the quorum; no later vote changes it.</summary>
    Decided = 1,

    /// <summary>No option can reach the quorum any more, whatever the voters who have not voted do.</summary>
    Impossible = 2,
}
