using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Jarvis.Node.Internal.Api;
using Jarvis.Replication;

namespace Jarvis.Node.Internal;

internal sealed partial class NodeRuntime
{
    private readonly Dictionary<long, PendingWrite> _writes = [];
    private readonly Dictionary<long, PendingRead> _reads = [];
    private readonly List<Watcher> _watchers = [];

    /// <summary>Applies one client operation as one write at a consistency level; refuses it (changing nothing) when the key holds another type.</summary>
    public async Task<WriteResult> WriteAsync(string key, ObjectKind kind, ObjectMutation mutation, Consistency consistency, long? timeoutMs)
    {
        var started = Stopwatch.GetTimestamp();
        var pending = await InvokeAsync(core =>
        {
            if (core.TryGetState(key, out var existing, out var handler) && handler.Name != kind.TypeName)
            {
                return Task.FromResult(new WriteResult(null, kind.ApiName, null, ObjectKinds.ForType(handler.Name)?.ApiName ?? handler.Name));
            }
            _ = existing;
            var writeId = core.Write(tx => mutation(tx, key, _mutationContext), consistency, timeoutMs);
            var waiter = new PendingWrite(key, kind, new TaskCompletionSource<WriteResult>(TaskCreationOptions.RunContinuationsAsynchronously));
            _writes[writeId] = waiter;
            return waiter.Completion.Task;
        }).ConfigureAwait(false);
        var result = await pending.ConfigureAwait(false);
        Metrics.WriteTook(Stopwatch.GetElapsedTime(started));
        return result;
    }

    /// <summary>Reads a key at a consistency level (Majority and All first gather the key from a quorum).</summary>
    public async Task<ReadResult> ReadAsync(string key, Consistency consistency, long? timeoutMs)
    {
        var started = Stopwatch.GetTimestamp();
        var pending = await InvokeAsync(core =>
        {
            if (consistency == Consistency.Local)
            {
                return Task.FromResult(LoopRender(key, timedOut: false));
            }
            var readId = core.Read(key, consistency, timeoutMs);
            var waiter = new TaskCompletionSource<ReadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _reads[readId] = new PendingRead(waiter);
            return waiter.Task;
        }).ConfigureAwait(false);
        var result = await pending.ConfigureAwait(false);
        Metrics.ReadTook(Stopwatch.GetElapsedTime(started));
        return result;
    }

    /// <summary>The keys starting with a prefix whose objects hold a value (a deleted object's key is not listed), in ordinal order, at most <paramref name="limit"/>.</summary>
    public Task<(IReadOnlyList<string> Keys, bool Truncated)> KeysAsync(string prefix, int limit)
        => InvokeAsync<(IReadOnlyList<string>, bool)>(core =>
        {
            var matching = core.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                .Where(k => core.TryGetState(k, out var state, out var handler) && (ObjectKinds.ForType(handler.Name)?.HasValue(state) ?? true))
                .Take(limit + 1).ToList();
            var truncated = matching.Count > limit;
            if (truncated)
            {
                matching.RemoveAt(limit);
            }
            return (matching, truncated);
        });

    /// <summary>The replica's Merkle root (hex) and key count.</summary>
    public Task<JsonObject> DigestAsync()
        => InvokeAsync(core => new JsonObject
        {
            ["root"] = core.StateDigest.ToString("x32", CultureInfo.InvariantCulture),
            ["keys"] = core.Count,
        });

    /// <summary>The node's view of itself, its members and its peers.</summary>
    public Task<JsonObject> StatusAsync()
        => InvokeAsync(core =>
        {
            var members = new JsonArray();
            foreach (var member in core.Members.OrderBy(m => m.Address, StringComparer.Ordinal))
            {
                var parsed = PeerDirectory.TryParseMemberAddress(member.Address, out var name, out var address);
                members.Add(new JsonObject
                {
                    ["name"] = parsed ? name : Transport.Directory.NameOf(member.Id),
                    ["replicaId"] = member.Id.ToString(),
                    ["status"] = StatusName(member.Status),
                    ["incarnation"] = member.Incarnation,
                    ["address"] = parsed ? address : member.Address,
                });
            }
            var peers = new JsonArray();
            foreach (var peer in core.Peers)
            {
                peers.Add(new JsonObject
                {
                    ["name"] = Transport.Directory.NameOf(peer),
                    ["replicaId"] = peer.ToString(),
                    ["connected"] = Transport.IsConnected(peer),
                    ["lagRecords"] = LoopLag(peer),
                });
            }
            return new JsonObject
            {
                ["name"] = Name,
                ["replicaId"] = Id.ToString(),
                ["ready"] = Ready,
                ["members"] = members,
                ["peers"] = peers,
                ["deltaBuffer"] = new JsonObject { ["count"] = core.DeltaBufferCount, ["bytes"] = core.DeltaBufferBytes },
                ["lastSequence"] = core.LastSequence,
                ["durableSequence"] = core.DurableSequence,
                ["keys"] = core.Count,
            };
        });

    /// <summary>Subscribes to the changes of keys under a prefix: each an SSE <c>data</c> line's JSON. Slow readers lose the oldest changes.</summary>
    public async Task<ChannelReader<string>> WatchAsync(string prefix, CancellationToken unsubscribe)
    {
        var watcher = new Watcher(prefix, Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }));
        await PostAsync(() => _watchers.Add(watcher)).ConfigureAwait(false);
        unsubscribe.Register(() =>
        {
            watcher.Changes.Writer.TryComplete();
            _ = _inputs.Writer.TryWrite(() => _watchers.Remove(watcher));
        });
        return watcher.Changes.Reader;
    }

    private ReadResult LoopRender(string key, bool timedOut)
    {
        if (!_core.TryGetState(key, out var state, out var handler))
        {
            return new ReadResult(null, null, timedOut);
        }
        var kind = ObjectKinds.ForType(handler.Name);
        return new ReadResult(kind?.ApiName ?? handler.Name, kind?.Render(state), timedOut);
    }

    private void LoopWriteCompleted(WriteCompleted completed)
    {
        if (_writes.Remove(completed.WriteId, out var waiter))
        {
            var value = _core.TryGetState(waiter.Key, out var state, out _) ? waiter.Kind.Render(state) : null;
            waiter.Completion.TrySetResult(new WriteResult(completed.Outcome, waiter.Kind.ApiName, value));
        }
    }

    private void LoopReadCompleted(ReadCompleted completed)
    {
        if (_reads.Remove(completed.ReadId, out var waiter))
        {
            waiter.Completion.TrySetResult(LoopRender(completed.Key, completed.Outcome == ReadOutcome.TimedOut));
        }
    }

    private void LoopNotifyWatchers(ObjectChanged changed)
    {
        string? data = null;
        foreach (var watcher in _watchers)
        {
            if (!changed.Key.StartsWith(watcher.Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            if (data is null)
            {
                var rendered = LoopRender(changed.Key, timedOut: false);
                data = new JsonObject
                {
                    ["key"] = changed.Key,
                    ["type"] = rendered.Type,
                    ["value"] = rendered.Value,
                    ["local"] = changed.Local,
                }.ToJsonString();
            }
            watcher.Changes.Writer.TryWrite(data);
        }
    }

    /// <summary>Fails what waits on the loop once it has stopped.</summary>
    private void FailWaiting()
    {
        foreach (var waiter in _writes.Values)
        {
            waiter.Completion.TrySetException(new NodeStoppingException());
        }
        foreach (var waiter in _reads.Values)
        {
            waiter.Completion.TrySetException(new NodeStoppingException());
        }
        foreach (var watcher in _watchers)
        {
            watcher.Changes.Writer.TryComplete();
        }
        _writes.Clear();
        _reads.Clear();
        _watchers.Clear();
        // Inputs posted but never run would leave their callers waiting.
        while (_inputs.Reader.TryRead(out _))
        {
        }
    }

    private sealed record PendingWrite(string Key, ObjectKind Kind, TaskCompletionSource<WriteResult> Completion);

    private sealed record PendingRead(TaskCompletionSource<ReadResult> Completion);

    private sealed record Watcher(string Prefix, Channel<string> Changes);
}
