using System.Diagnostics;
using System.Text.Json.Nodes;
using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Membership;
using Jarvis.Replication.Storage;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

// The node's identity and membership: the replica id it writes under (one per storage lifetime, recorded in
// the data folder), which hellos may claim a node name, leaving the cluster on a graceful stop, removing Down
// members on request, and what the node does once the cluster has removed it.
internal sealed partial class NodeRuntime
{
    private readonly CancellationTokenSource _peerStreams = new();
    private volatile string? _seedRefusal;
    private volatile bool _removed;
    private volatile bool _leaving;

    /// <summary>Cancelled when the node stops taking peer streams: after its leave, so that peers can acknowledge the hand-off.</summary>
    public CancellationToken PeerStreamsClosing => _peerStreams.Token;

    /// <summary>Why the node is not a working member (not ready), or null.</summary>
    private string? MembershipProblem => _removed
        ? $"This node's replica {Id} was removed from the cluster (it was Down to a member, which removed it or admitted a newer replica of {Name}); "
            + "it accepts no writes. Restart it: it rejoins as a new member, with the data it kept."
        : _leaving ? "The node is leaving the cluster: it is stopping." : _seedRefusal;

    /// <summary>
    /// The replica id this node writes under: the one its store records, unless spent; otherwise a new one,
    /// minted at random (a new or lost data folder, or a completed leave) and recorded before it is used.
    /// </summary>
    private ReplicaId EstablishIdentity(IDurableStore store, RecoveredState recovered)
    {
        var recorded = ReplicaIdentity.TryRead(recovered, out var previous);
        // A store with data but no record was written before identities were recorded, under the id the
        // name gave: the same storage lifetime, so the same identity.
        var legacy = !recorded && (recovered.LastSequence > 0 || recovered.Checkpoints.Count > 0);
        var (id, minted) = ReplicaIdentity.Establish(store, recovered, () => legacy ? ReplicaId.FromName(_options.Name) : ReplicaId.NewRandom());
        if (!minted)
        {
            LogIdentityKept(id);
        }
        else if (previous.Spent)
        {
            LogIdentityAfterLeave(id, previous.Id);
        }
        else if (legacy)
        {
            LogIdentityRecorded(id);
        }
        else
        {
            LogIdentityMinted(id);
        }
        return id;
    }

    /// <summary>
    /// Judges a hello's claim to a node name (<see cref="NameClaim"/>) and, when it is accepted in place of
    /// Down replicas of the same name, removes them: the node came back on new storage.
    /// </summary>
    /// <exception cref="NodeStoppingException">The node is stopping.</exception>
    public Task<NameClaim> ClaimAsync(string name, ReplicaId claimed)
        => InvokeAsync(core =>
        {
            var claim = NameClaim.Judge(core.Members, LoopNameOf, name, claimed);
            foreach (var replaced in claim.Replaced)
            {
                if (core.RemoveMember(replaced.Id) == MemberRemoval.Removed)
                {
                    LogReplaced(name, claimed, replaced.Id);
                }
            }
            return claim;
        });

    /// <summary>Removes every Down replica of a node name (<c>jarvis member remove</c>); refuses when one is live or the name is this node's.</summary>
    public Task<MemberRemovalResult> RemoveMemberAsync(string name)
        => InvokeAsync(core =>
        {
            if (name == Name)
            {
                return new MemberRemovalResult(MemberRemovalVerdict.Self, [], null);
            }
            var named = core.Members.Where(m => !m.IsDeparted && LoopNameOf(m) == name).ToList();
            if (named.Count == 0)
            {
                return new MemberRemovalResult(MemberRemovalVerdict.Unknown, [], null);
            }
            if (named.FirstOrDefault(m => m.Status != MemberStatus.Down) is { } live)
            {
                return new MemberRemovalResult(MemberRemovalVerdict.Live, [], live);
            }
            foreach (var member in named)
            {
                core.RemoveMember(member.Id);
                LogRemovedOnRequest(name, member.Id);
            }
            return new MemberRemovalResult(MemberRemovalVerdict.Removed, [.. named.Select(m => m.Id)], null);
        });

    /// <summary>A seed refused this node's hello: the node is not ready, and says why.</summary>
    private void NoteRefusedBySeed(string reason) => _seedRefusal = "A seed refused this node: " + reason;

    /// <summary>Called on the loop when this node's own entry changed: the cluster may have removed it.</summary>
    private void LoopSelfChanged()
    {
        if (!_core.WasRemoved || _removed)
        {
            return;
        }
        _removed = true;
        LogRemoved(Id, Name);
        _ = RecordIdentityAsync(spent: true);
    }

    /// <summary>A leaving or removed replica refuses writes: the request gets a 503 saying why.</summary>
    private void LoopRefuseWritesIfDeparting(ReplicaCore core)
    {
        if (core.IsLeaving || core.WasRemoved)
        {
            throw new NodeStoppingException(MembershipProblem ?? "The node is leaving the cluster: it is stopping.");
        }
    }

    /// <summary>
    /// The level a write or read can be counted at: as asked, unless this node is not a member (refused,
    /// removed, or not yet joined to its seeds) — its quorum would then be itself alone, and a Majority or
    /// All it completed would be a lie: the write is kept at Local and answered as not having reached its
    /// level (202), the read as timed out (504).
    /// </summary>
    private Consistency LoopLevelWithin(Consistency consistency)
        => consistency == Consistency.Local || (_seedRefusal is null && !_core.WasRemoved && (_options.Seeds.Count == 0 || _joinedOnce))
            ? consistency
            : Consistency.Local;

    /// <summary>The membership part of <c>/v1/status</c>: this node's state in the cluster and the quorum sizes writes and reads wait for.</summary>
    private JsonObject LoopMembershipStatus(ReplicaCore core)
    {
        var state = core.WasRemoved ? "removed"
            : core.HasLeft ? "left"
            : core.IsLeaving ? "leaving"
            : _seedRefusal is not null ? "refused"
            : _options.Seeds.Count == 0 || _joinedOnce ? "member" : "joining";
        var members = core.Peers.Count + 1;
        return new JsonObject
        {
            ["state"] = state,
            ["detail"] = MembershipProblem,
            ["quorum"] = new JsonObject { ["members"] = members, ["majority"] = (members / 2) + 1 },
        };
    }

    private string? LoopNameOf(MemberEntry member)
        => PeerDirectory.TryParseMemberAddress(member.Address, out var name, out _) ? name : member.Id == Id ? Name : Transport.Directory.NameOf(member.Id);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Before the server stops (peers can still reach this node and acknowledge its hand-off): ends watch
    /// streams, leaves the cluster when <see cref="NodeOptions.LeaveOnStop"/> says so, within
    /// <see cref="NodeOptions.LeaveTimeoutMs"/>, and only then starts the short grace of the client requests
    /// still waiting (<see cref="BeginStopping"/>) — the leave itself waits on the loop, so the grace must not
    /// cut it short.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _endWatches.CancelAsync().ConfigureAwait(false);
        try
        {
            // A stalled loop cannot hand anything off, and every step of a leave waits on it: the leave is bounded
            // as a whole, and gives up at once if the loop does not answer its first question promptly.
            if (_options.LeaveOnStop && _loop is not null && !_stopping.IsCancellationRequested && LivenessProblem() is null)
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.LeaveTimeoutMs) + LeaveSlack);
                await LeaveAsync(bound.Token).ConfigureAwait(false);
            }
        }
        catch (NodeStoppingException)
        {
            // The loop is gone: there is nothing left to hand off from.
        }
        finally
        {
            await _peerStreams.CancelAsync().ConfigureAwait(false);
            BeginStopping();
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>How much longer than <see cref="NodeOptions.LeaveTimeoutMs"/> a stop waits for a leave whose loop stopped answering.</summary>
    private static readonly TimeSpan LeaveSlack = TimeSpan.FromSeconds(2);

    /// <summary>How long a leave waits for the loop to answer its first question; a healthy loop answers within a tick.</summary>
    private static readonly TimeSpan LeaveProbe = TimeSpan.FromSeconds(1);

    private async Task LeaveAsync(CancellationToken cancellationToken)
    {
        bool alone;
        using (var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            probe.CancelAfter(LeaveProbe);
            try
            {
                alone = await InvokeAsync(core => core.WasRemoved || core.Peers.Count == 0, probe.Token).ConfigureAwait(false);
            }
            catch (NodeStoppingException) when (probe.IsCancellationRequested)
            {
                LogLeaveAbandoned(LeaveProbe.TotalMilliseconds);
                return;
            }
        }
        if (alone)
        {
            // Removed already, or a cluster of one: nothing to hand off and nobody to tell; the identity stays.
            return;
        }
        // Spent before the departure is announced: a process that dies from here on restarts as a new
        // identity (safe: its data replicates under it), never as one the others may believe departed.
        if (!await RecordIdentityAsync(spent: true).ConfigureAwait(false))
        {
            return;
        }
        _leaving = true;
        LogLeaving(_options.LeaveTimeoutMs);
        var clock = Stopwatch.StartNew();
        await InvokeAsync(core =>
        {
            core.Leave();
            return true;
        }, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var (left, canStop) = await InvokeAsync(core => (core.HasLeft, core.CanStop), cancellationToken).ConfigureAwait(false);
            if (canStop)
            {
                LogLeft(clock.ElapsedMilliseconds);
                return;
            }
            if (clock.ElapsedMilliseconds >= _options.LeaveTimeoutMs || cancellationToken.IsCancellationRequested)
            {
                if (left)
                {
                    LogLeft(clock.ElapsedMilliseconds);
                    return;
                }
                // Not handed off: this node may hold writes nobody else has, so it stays a member (Down until it
                // returns) under the same identity.
                await RecordIdentityAsync(spent: false).ConfigureAwait(false);
                LogLeaveTimedOut(_options.LeaveTimeoutMs, Name);
                return;
            }
            await Task.Delay(TickMs, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Records this node's identity as spent (or usable again) in its store; false, logged, when the store cannot.</summary>
    private async Task<bool> RecordIdentityAsync(bool spent)
    {
        try
        {
            await _storage!.SetMetadataAsync(ReplicaIdentity.MetadataName, new ReplicaIdentity(Id, spent).Encode()).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is StorageException or NodeStoppingException or IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
        {
            LogIdentityNotRecorded(spent ? "spent" : "in use", exception.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Writing as replica {ReplicaId}, the identity recorded in the data folder")]
    private partial void LogIdentityKept(ReplicaId replicaId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The data folder holds no identity (new or lost): writing as a new replica {ReplicaId}; a previous replica of this name, if any, is removed once it is Down")]
    private partial void LogIdentityMinted(ReplicaId replicaId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Previous} left the cluster when this node last stopped: writing as a new replica {ReplicaId}, with the data kept")]
    private partial void LogIdentityAfterLeave(ReplicaId replicaId, ReplicaId previous);

    [LoggerMessage(Level = LogLevel.Information, Message = "The data folder was written before identities were recorded: writing as replica {ReplicaId}, as before, now recorded")]
    private partial void LogIdentityRecorded(ReplicaId replicaId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Name} is back as replica {ReplicaId} (new storage); its previous replica {Previous}, Down, is removed from the cluster")]
    private partial void LogReplaced(string name, ReplicaId replicaId, ReplicaId previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed member {Name} (replica {ReplicaId}), Down, on request")]
    private partial void LogRemovedOnRequest(string name, ReplicaId replicaId);

    [LoggerMessage(Level = LogLevel.Error, Message = "This node's replica {ReplicaId} was removed from the cluster: it refuses writes and replicates no more. Restart node {Name} to rejoin as a new member with the data it kept")]
    private partial void LogRemoved(ReplicaId replicaId, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leaving the cluster: handing off, then announcing the departure (at most {TimeoutMs} ms)")]
    private partial void LogLeaving(int timeoutMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Left the cluster after {ElapsedMs} ms; the next start joins as a new member")]
    private partial void LogLeft(long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hand-off did not complete within {TimeoutMs} ms: stopping without leaving. Node {Name} stays a member (Down until it returns); remove it with `jarvis member remove` if it will not")]
    private partial void LogLeaveTimedOut(int timeoutMs, string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "The leave did not finish within {Milliseconds} ms (the replica's loop stopped answering): stopping without it; the node's next start takes a new identity and replaces this one once it is seen down")]
    private partial void LogLeaveAbandoned(double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record this node's identity as {State}: {Reason}")]
    private partial void LogIdentityNotRecorded(string state, string reason);
}
