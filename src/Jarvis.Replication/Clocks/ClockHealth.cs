namespace Jarvis.Replication.Clocks;

/// <summary>
/// A replica's view of clocks: whether its own is skewed (and why), and what it measured of each peer's.
/// Immutable snapshot.
/// </summary>
/// <param name="Skewed">
/// Whether most of the members this replica hears disagree with its clock by more than the drift bound. A
/// skewed replica refuses writes (<see cref="ClockSkewedException"/>) until its clock is fixed.
/// </param>
/// <param name="Reason">Why it is skewed; null when it is not.</param>
/// <param name="MaxDriftMs">The drift bound; null when the replica runs without a clock (and checks nothing).</param>
/// <param name="Waiting">Received objects refused for timestamps beyond the bound, held until this clock has caught up with them.</param>
/// <param name="Peers">Each peer whose clock was measured, or whose messages or data were refused.</param>
public sealed record ClockHealth(bool Skewed, string? Reason, long? MaxDriftMs, int Waiting, IReadOnlyList<PeerClock> Peers);
