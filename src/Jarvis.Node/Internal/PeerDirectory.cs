using System.Collections.Concurrent;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal;

/// <summary>
/// Where each peer is dialled, by replica id: the configured route of its node name
/// (<see cref="NodeOptions.PeerRoutes"/>) first, else the address its membership entry gossips
/// (<c>NAME@host:port</c>), else the address it announced in a hello or the seed address it answered on.
/// A node name may have had several replica ids (one per storage lifetime); each is dialled on its own and
/// must answer as itself. Thread-safe.
/// </summary>
internal sealed class PeerDirectory
{
    private readonly ConcurrentDictionary<ReplicaId, PeerRecord> _peers = new();
    private readonly Dictionary<string, string> _routes;

    public PeerDirectory(IDictionary<string, string> routes)
    {
        _routes = new Dictionary<string, string>(routes, StringComparer.Ordinal);
    }

    /// <summary>Splits a gossiped member address, <c>NAME@host:port</c>.</summary>
    public static bool TryParseMemberAddress(string address, out string name, out string endpoint)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        name = at > 0 ? address[..at] : string.Empty;
        endpoint = at > 0 ? address[(at + 1)..] : string.Empty;
        return at > 0 && NodeOptions.IsNodeName(name) && NodeOptions.TryParseEndpoint(endpoint, out _, out _);
    }

    /// <summary>Records a member's gossiped address; false when it is not <c>NAME@host:port</c>.</summary>
    public bool NoteGossip(ReplicaId id, string address)
    {
        if (!TryParseMemberAddress(address, out var name, out var endpoint))
        {
            return false;
        }
        _peers.AddOrUpdate(id, _ => new PeerRecord(name, endpoint, null), (_, r) => r with { Name = name, Gossiped = endpoint });
        return true;
    }

    /// <summary>Records the address a peer announced in its hello or was reached at as a seed.</summary>
    public void NoteHeard(string name, ReplicaId id, string endpoint)
    {
        if (!NodeOptions.TryParseEndpoint(endpoint, out _, out _))
        {
            return;
        }
        _peers.AddOrUpdate(id, _ => new PeerRecord(name, null, endpoint), (_, r) => r with { Name = name, Heard = endpoint });
    }

    /// <summary>The peer's node name, if known.</summary>
    public string? NameOf(ReplicaId id) => _peers.TryGetValue(id, out var record) ? record.Name : null;

    /// <summary>The address to dial a peer at, if known.</summary>
    public string? AddressOf(ReplicaId id)
        => _peers.TryGetValue(id, out var record)
            ? _routes.GetValueOrDefault(record.Name) ?? record.Gossiped ?? record.Heard
            : null;

    private sealed record PeerRecord(string Name, string? Gossiped, string? Heard);
}
