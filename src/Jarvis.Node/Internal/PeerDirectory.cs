using System.Collections.Concurrent;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal;

/// <summary>
/// Where each peer is dialled: its configured route (<see cref="NodeOptions.PeerRoutes"/>) first, else the
/// address its membership entry gossips (<c>NAME@host:port</c>), else the address it announced in a hello
/// or the seed address it answered on. Thread-safe.
/// </summary>
internal sealed class PeerDirectory
{
    private readonly ConcurrentDictionary<ReplicaId, PeerRecord> _peers = new();

    public PeerDirectory(IDictionary<string, string> routes)
    {
        foreach (var (name, address) in routes)
        {
            _peers[ReplicaId.FromName(name)] = new PeerRecord(name, address, null, null);
        }
    }

    /// <summary>Splits a gossiped member address, <c>NAME@host:port</c>.</summary>
    public static bool TryParseMemberAddress(string address, out string name, out string endpoint)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        name = at > 0 ? address[..at] : string.Empty;
        endpoint = at > 0 ? address[(at + 1)..] : string.Empty;
        return at > 0 && NodeOptions.NamePattern().IsMatch(name) && NodeOptions.TryParseEndpoint(endpoint, out _, out _);
    }

    /// <summary>Records a member's gossiped address; false when it is not <c>NAME@host:port</c> or the name does not match the id.</summary>
    public bool NoteGossip(ReplicaId id, string address)
    {
        if (!TryParseMemberAddress(address, out var name, out var endpoint) || ReplicaId.FromName(name) != id)
        {
            return false;
        }
        _peers.AddOrUpdate(id, _ => new PeerRecord(name, null, endpoint, null), (_, r) => r with { Name = name, Gossiped = endpoint });
        return true;
    }

    /// <summary>Records the address a peer announced or was reached at.</summary>
    public void NoteHeard(string name, string endpoint)
    {
        if (!NodeOptions.TryParseEndpoint(endpoint, out _, out _))
        {
            return;
        }
        _peers.AddOrUpdate(ReplicaId.FromName(name), _ => new PeerRecord(name, null, null, endpoint), (_, r) => r with { Heard = endpoint });
    }

    /// <summary>The peer's name, if known.</summary>
    public string? NameOf(ReplicaId id) => _peers.TryGetValue(id, out var record) ? record.Name : null;

    /// <summary>The address to dial a peer at, if known.</summary>
    public string? AddressOf(ReplicaId id)
        => _peers.TryGetValue(id, out var record) ? record.Route ?? record.Gossiped ?? record.Heard : null;

    private sealed record PeerRecord(string Name, string? Route, string? Gossiped, string? Heard);
}
