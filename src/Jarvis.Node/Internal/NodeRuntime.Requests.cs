using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Jarvis.Node.Internal.Api;
using Jarvis.Replication;
using Microsoft.AspNetCore.Http;

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
            LoopRefuseWritesIfDeparting(core);
            var level = LoopLevelWithin(consistency);
            var writeId = core.Write(tx =>
            {
                _hooks.BeforeMutation?.Invoke(key);
                mutation(tx, key, _mutationContext);
            }, level, timeoutMs);
            var waiter = new PendingWrite(key, kind, new TaskCompletionSource<WriteResult>(TaskCreationOptions.RunContinuationsAsynchronously)) { BelowLevel = level != consistency };
            _writes[writeId] = waiter;
            return waiter.Completion.Task;
        }).ConfigureAwait(false);
        var result = await AwaitAnswerAsync(pending).ConfigureAwait(false);
        Metrics.WriteTook(Stopwatch.GetElapsedTime(started));
        return result;
    }

    /// <summary>
    /// Reads a key at a consistency level. Local answers with what the replica holds, durable or not. Majority
    /// and All first gather the key from a quorum and wait until the key's local changes are durable here.
    /// </summary>
    /// <exception cref="NodeRequestException">Majority or All: storage failed while the key held a change that is not durable (503).</exception>
    public async Task<ReadResult> ReadAsync(string key, Consistency consistency, long? timeoutMs)
    {
        var started = Stopwatch.GetTimestamp();
        var pending = await InvokeAsync(core =>
        {
            if (consistency == Consistency.Local)
            {
                return Task.FromResult(LoopRender(key, timedOut: false));
            }
            if (LoopLevelWithin(consistency) != consistency)
            {
                return Task.FromResult(LoopRender(key, timedOut: true));
            }
            var readId = core.Read(key, consistency, timeoutMs);
            var waiter = new TaskCompletionSource<ReadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _reads[readId] = new PendingRead(waiter);
            return waiter.Task;
        }).ConfigureAwait(false);
        var result = await AwaitAnswerAsync(pending).ConfigureAwait(false);
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

    /// <summary>
    /// The node's view of itself, its members and its peers. A peer is <c>connected</c> while its link is up and
    /// it was heard from (a frame arrived) within <see cref="PeerHeardWindowMs"/>: three heartbeat intervals.
    /// </summary>
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
            var clock = core.ClockHealth;
            var peers = new JsonArray();
            foreach (var peer in core.Peers)
            {
                peers.Add(new JsonObject
                {
                    ["name"] = Transport.Directory.NameOf(peer),
                    ["replicaId"] = peer.ToString(),
                    ["connected"] = Transport.IsConnected(peer) && HeardWithin(peer, PeerHeardWindowMs),
                    ["lastHeardMs"] = _heardAt.TryGetValue(peer, out var heard) ? _clock.ElapsedMilliseconds - heard : null,
                    ["lagRecords"] = LoopLag(peer),
                    ["clock"] = PeerClockStatus(clock, peer),
                });
            }
            return new JsonObject
            {
                ["name"] = Name,
                ["replicaId"] = Id.ToString(),
                ["ready"] = Ready,
                ["membership"] = LoopMembershipStatus(core),
                ["clock"] = ClockStatus(clock),
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
        await PostAsync(() => _watchers.Add(watcher), "adding a watcher").ConfigureAwait(false);
        // A stopping node ends its watch streams at once: they never end by themselves, and would hold the host's shutdown.
        var stopping = _endWatches.Token.Register(() => watcher.Changes.Writer.TryComplete());
        unsubscribe.Register(() =>
        {
            stopping.Dispose();
            watcher.Changes.Writer.TryComplete();
            _ = _inputs.Writer.TryWrite(new LoopInput(() => _watchers.Remove(watcher), "removing a watcher", null));
        });
        return watcher.Changes.Reader;
    }

    /// <summary>How recently a peer must have been heard from to count as connected: three heartbeat intervals (1.5 s by default).</summary>
    private long PeerHeardWindowMs => 3 * _replicaOptions.HeartbeatIntervalMs;

    private bool HeardWithin(Jarvis.Crdt.ReplicaId peer, long windowMs)
        => _heardAt.TryGetValue(peer, out var heard) && _clock.ElapsedMilliseconds - heard <= windowMs;

    /// <summary>Waits for the loop's answer to a request; once the node is stopping and the grace has passed, answers 503 instead.</summary>
    public async Task<T> AwaitAnswerAsync<T>(Task<T> answer)
    {
        try
        {
            return await answer.WaitAsync(_abandonRequests.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (_abandonRequests.IsCancellationRequested)
        {
            throw new NodeStoppingException(exception);
        }
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
        // Rendered before the waiter is removed: if rendering throws, the failure handler answers the waiter.
        if (_writes.TryGetValue(completed.WriteId, out var waiter))
        {
            var value = _core.TryGetState(waiter.Key, out var state, out _) ? waiter.Kind.Render(state) : null;
            _writes.Remove(completed.WriteId);
            var outcome = waiter.BelowLevel && completed.Outcome == WriteOutcome.Acknowledged ? WriteOutcome.TimedOut : completed.Outcome;
            waiter.Completion.TrySetResult(new WriteResult(outcome, waiter.Kind.ApiName, value));
        }
    }

    private void LoopReadCompleted(ReadCompleted completed)
    {
        if (!_reads.TryGetValue(completed.ReadId, out var waiter))
        {
            return;
        }
        if (completed.Outcome == ReadOutcome.StorageFailed)
        {
            // Logged by the storage worker, once per change of state; not per request.
            _reads.Remove(completed.ReadId);
            waiter.Completion.TrySetException(new NodeRequestException(
                StatusCodes.Status503ServiceUnavailable,
                "Storage failing",
                $"Key '{completed.Key}' holds a change that is not durable on this node and its storage is failing: a read at this consistency serves only durable state. Retry later, or read at local consistency to see the undurable value.",
                null));
            return;
        }
        var result = LoopRender(completed.Key, completed.Outcome == ReadOutcome.TimedOut);
        _reads.Remove(completed.ReadId);
        waiter.Completion.TrySetResult(result);
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
        _agents?.FailWaiting(new NodeStoppingException());
        // Inputs posted but never run would leave their callers waiting.
        while (_inputs.Reader.TryRead(out _))
        {
        }
    }

    private sealed record PendingWrite(string Key, ObjectKind Kind, TaskCompletionSource<WriteResult> Completion)
    {
        /// <summary>Written at Local by a node that is not a member: it cannot reach the level asked for.</summary>
        public bool BelowLevel { get; init; }
    }

    private sealed record PendingRead(TaskCompletionSource<ReadResult> Completion);

    private sealed record Watcher(string Prefix, Channel<string> Changes);
}
