using System.Text.Json.Nodes;
using Jarvis.Crdt;
using Jarvis.Replication;
using Jarvis.Replication.Clocks;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

// Clocks: what the replica refuses for clock drift is counted and logged (at most one line per peer and kind
// every LogEveryMs, with how many were left unsaid), the node's own skewed clock is logged when it changes,
// keeps the node from being ready and is shown with every peer's measured clock in /v1/status.
internal sealed partial class NodeRuntime
{
    private const long ClockLogEveryMs = 10_000;

    private readonly Dictionary<(ReplicaId Peer, bool Whole), (long LoggedAt, long Unsaid)> _clockLog = [];
    private volatile bool _clockSkewed;

    private void LoopClockRefused(ClockDriftRefused refused)
    {
        var whole = refused.Key is null;
        Metrics.ClockDriftRefused(whole);
        var now = _clock.ElapsedMilliseconds;
        var key = (refused.From, whole);
        if (_clockLog.TryGetValue(key, out var last) && now - last.LoggedAt < ClockLogEveryMs)
        {
            _clockLog[key] = (last.LoggedAt, last.Unsaid + 1);
            return;
        }
        _clockLog[key] = (now, 0);
        LogClockRefused(Transport.Directory.NameOf(refused.From) ?? refused.From.ToString(), refused.Reason, last.Unsaid);
    }

    /// <summary>Publishes the node's own clock verdict (logged when it changes) and each peer's measured offset.</summary>
    private void LoopPublishClock()
    {
        var skewed = _core.ClockSkewed;
        if (skewed != _clockSkewed)
        {
            _clockSkewed = skewed;
            if (skewed)
            {
                LogClockSkewed(_core.ClockHealth.Reason ?? "most members disagree with this node's clock");
            }
            else
            {
                LogClockAgrees();
            }
        }
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var peer in _core.ClockHealth.Peers)
        {
            if (peer.OffsetMs is { } offset)
            {
                offsets[Transport.Directory.NameOf(peer.Peer) ?? peer.Peer.ToString()] = offset;
            }
        }
        Metrics.PublishClock(skewed, offsets);
    }

    /// <summary>
    /// The node's own clock for /v1/status, with every peer whose clock was measured — a peer refused from its
    /// first message never becomes a member, so this is where it shows.
    /// </summary>
    private JsonObject ClockStatus(ClockHealth health)
    {
        var peers = new JsonArray();
        foreach (var peer in health.Peers)
        {
            var entry = PeerClockStatus(health, peer.Peer)!;
            entry["name"] = Transport.Directory.NameOf(peer.Peer);
            entry["replicaId"] = peer.Peer.ToString();
            peers.Add(entry);
        }
        return new JsonObject
        {
            ["skewed"] = health.Skewed,
            ["reason"] = health.Reason,
            ["maxDriftMs"] = health.MaxDriftMs,
            ["wallTime"] = _core.Clock?.WallTime,
            // How far the hybrid logical clock runs ahead of this node's wall clock: at most the drift bound,
            // since nothing further ahead is observed.
            ["hlcAheadMs"] = _core.Clock is { } hlc ? Math.Max(0, (long)hlc.Last.WallTime - (long)hlc.WallTime) : null,
            ["waiting"] = health.Waiting,
            ["peers"] = peers,
        };
    }

    /// <summary>What was measured of a peer's clock for /v1/status; null before its first heartbeat.</summary>
    private static JsonObject? PeerClockStatus(ClockHealth health, ReplicaId peer)
        => health.Peers.FirstOrDefault(p => p.Peer == peer) is not { } clock ? null : new JsonObject
        {
            ["offsetMs"] = clock.OffsetMs,
            ["refused"] = clock.Refused,
            ["refusedMessages"] = clock.RefusedMessages,
            ["refusedObjects"] = clock.RefusedEntries,
        };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clock drift: peer {Peer}: {Reason} ({Unsaid} more like it since the last line)")]
    private partial void LogClockRefused(string peer, string reason, long unsaid);

    [LoggerMessage(Level = LogLevel.Error, Message = "This node's clock is skewed: {Reason}. It refuses writes and is not ready until its clock is fixed")]
    private partial void LogClockSkewed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "This node's clock agrees with the members again: it takes writes")]
    private partial void LogClockAgrees();
}
