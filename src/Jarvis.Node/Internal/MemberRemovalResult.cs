using Jarvis.Crdt;
using Jarvis.Replication.Membership;

namespace Jarvis.Node.Internal;

/// <summary>
/// The outcome of a request to remove a node from the cluster (<see cref="NodeRuntime.RemoveMemberAsync"/>):
/// the verdict, the replicas removed, and the live member that made it refuse. Immutable.
/// </summary>
internal sealed record MemberRemovalResult(MemberRemovalVerdict Verdict, IReadOnlyList<ReplicaId> Removed, MemberEntry? Live);
