using System.Diagnostics.Metrics;

namespace Jarvis.Node.Internal;

/// <summary>
/// The node's instruments, on a meter named per node (<c>Jarvis.Node.NAME</c>) so several nodes in one
/// process export only their own figures. Gauges read the latest <see cref="NodeSnapshot"/>. Thread-safe.
/// </summary>
/// <remarks>
/// An exporter listens to every meter of its name in the process, and two instruments of one name and meter
/// name are one stream to it: of two observable counters it exports whichever callback it ran last. So a
/// node whose name another live node in the process already uses (tests run nodes named node-1 side by side)
/// takes the meter name <c>Jarvis.Node.NAME.2</c> (or .3, …) until it is disposed.
/// </remarks>
internal sealed class NodeMetrics : IDisposable
{
    public const string MeterPrefix = "Jarvis.Node.";

    // Latency buckets in seconds, from a millisecond to ten seconds (the default buckets assume milliseconds).
    public static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly HashSet<string> LiveMeterNames = [];

    private readonly Meter _meter;
    private bool _disposed;
    private long _bytesSent;
    private long _bytesReceived;
    private long _framesDropped;
    private long _decodeErrors;
    private long _refusals;
    private long _protocolErrors;
    private long _storageFailures;
    private long _requestFailures;
    private readonly long[] _loopFailures = new long[Enum.GetValues<DriverLoop>().Length];
    private int _storageFailing;
    private long _clockRefusedMessages;
    private long _clockRefusedObjects;
    private ClockFigures _clock = new(false, new Dictionary<string, long>());
    private readonly Histogram<double> _writeDuration;
    private readonly Histogram<double> _readDuration;
    private NodeSnapshot _snapshot = NodeSnapshot.Empty;
    private AgentFigures _agents = AgentFigures.Empty;

    public NodeMetrics(string nodeName)
    {
        MeterName = ClaimMeterName(MeterPrefix + nodeName);
        _meter = new Meter(MeterName);
        // Observable counters over plain totals: every series exists (at 0) from the first scrape.
        _meter.CreateObservableCounter("jarvis_bytes_sent", () => Interlocked.Read(ref _bytesSent), description: "Bytes of replication messages written to peer streams.");
        _meter.CreateObservableCounter("jarvis_bytes_received", () => Interlocked.Read(ref _bytesReceived), description: "Bytes of replication messages read from peer streams.");
        _meter.CreateObservableCounter("jarvis_peer_frames_dropped", () => Interlocked.Read(ref _framesDropped), description: "Messages dropped because a peer's send queue was full or the peer had no known address.");
        _meter.CreateObservableCounter("jarvis_peer_decode_errors", () => Interlocked.Read(ref _decodeErrors), description: "Received frames that did not decode and were dropped.");
        _meter.CreateObservableCounter("jarvis_peer_refusals", () => Interlocked.Read(ref _refusals), description: "Peer connections or hellos refused (certificate or name checks).");
        _meter.CreateObservableCounter("jarvis_protocol_errors", () => Interlocked.Read(ref _protocolErrors), description: "Messages the replica could not use (reported by the core).");
        _meter.CreateObservableCounter("jarvis_storage_failures", () => Interlocked.Read(ref _storageFailures), description: "Storage requests that failed.");
        _meter.CreateObservableGauge("jarvis_storage_failing", () => Volatile.Read(ref _storageFailing), description: "1 while storage is failing (the last storage request failed and none has succeeded since), else 0.");
        _meter.CreateObservableCounter("jarvis_loop_failures", ObserveLoopFailures, description: "Exceptions a driver loop caught and survived, by loop: replica (an input or an output of the replica's loop), storage (the storage worker), peer-send and peer-receive (peer links).");
        _meter.CreateObservableCounter("jarvis_request_failures", () => Interlocked.Read(ref _requestFailures), description: "Client requests answered 500 because the node failed to handle them.");
        _meter.CreateObservableCounter("jarvis_clock_drift_refusals", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _clockRefusedMessages), new KeyValuePair<string, object?>("what", "message")),
            new Measurement<long>(Interlocked.Read(ref _clockRefusedObjects), new KeyValuePair<string, object?>("what", "object")),
        }, description: "Peer messages (from a peer whose clock is beyond the drift bound ahead) and received objects (timestamped beyond it) refused for clock drift.");
        _meter.CreateObservableGauge("jarvis_clock_skewed", () => Volatile.Read(ref _clock).Skewed ? 1 : 0, description: "1 while most members disagree with this node's clock by more than the drift bound (it refuses writes), else 0.");
        _meter.CreateObservableGauge("jarvis_peer_clock_offset_ms", () => Volatile.Read(ref _clock).Offsets.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("peer", p.Key))), description: "Each peer's wall clock minus this node's, as measured from its heartbeats.");
        _writeDuration = _meter.CreateHistogram<double>("jarvis_write_duration", unit: "s", description: "Client writes, from request to outcome.");
        _readDuration = _meter.CreateHistogram<double>("jarvis_read_duration", unit: "s", description: "Client reads, from request to answer.");
        _meter.CreateObservableGauge("jarvis_replication_lag_records", () => Volatile.Read(ref _snapshot).LagByPeer.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("peer", p.Key))), description: "Records this node holds beyond what each peer acknowledged.");
        _meter.CreateObservableGauge("jarvis_delta_buffer_deltas", () => (long)Volatile.Read(ref _snapshot).DeltaBufferCount, description: "Deltas held for peers that have not acknowledged them.");
        _meter.CreateObservableGauge("jarvis_delta_buffer_bytes", () => Volatile.Read(ref _snapshot).DeltaBufferBytes, description: "Bytes of deltas held for peers that have not acknowledged them.");
        CreateAgentInstruments();
        _meter.CreateObservableGauge("jarvis_members", () => Volatile.Read(ref _snapshot).MemberCounts.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("status", p.Key))), description: "Members by the status this node believes.");
    }

    public string MeterName { get; }

    public NodeSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public void Publish(NodeSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    public AgentFigures Agents => Volatile.Read(ref _agents);

    public void PublishAgents(AgentFigures figures) => Volatile.Write(ref _agents, figures);

    public void Sent(int bytes) => Interlocked.Add(ref _bytesSent, bytes);

    public void Received(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    public void FrameDropped() => Interlocked.Increment(ref _framesDropped);

    public long DecodeErrors => Interlocked.Read(ref _decodeErrors);

    public long Refusals => Interlocked.Read(ref _refusals);

    public void DecodeError() => Interlocked.Increment(ref _decodeErrors);

    public void Refused() => Interlocked.Increment(ref _refusals);

    public void ProtocolError() => Interlocked.Increment(ref _protocolErrors);

    public void StorageFailed() => Interlocked.Increment(ref _storageFailures);

    public void StorageFailing(bool failing) => Volatile.Write(ref _storageFailing, failing ? 1 : 0);

    public void LoopFailed(DriverLoop loop) => Interlocked.Increment(ref _loopFailures[(int)loop]);

    public long LoopFailures(DriverLoop loop) => Interlocked.Read(ref _loopFailures[(int)loop]);

    public void RequestFailed() => Interlocked.Increment(ref _requestFailures);
    public void ClockDriftRefused(bool wholeMessage) => Interlocked.Increment(ref wholeMessage ? ref _clockRefusedMessages : ref _clockRefusedObjects);

    public long ClockDriftRefusals => Interlocked.Read(ref _clockRefusedMessages) + Interlocked.Read(ref _clockRefusedObjects);

    public void PublishClock(bool skewed, IReadOnlyDictionary<string, long> offsets) => Volatile.Write(ref _clock, new ClockFigures(skewed, offsets));

    public void WriteTook(TimeSpan elapsed) => _writeDuration.Record(elapsed.TotalSeconds);

    public void ReadTook(TimeSpan elapsed) => _readDuration.Record(elapsed.TotalSeconds);

    public void Dispose()
    {
        _meter.Dispose();
        lock (LiveMeterNames)
        {
            if (!_disposed)
            {
                _disposed = true;
                LiveMeterNames.Remove(MeterName);
            }
        }
    }

    private static string ClaimMeterName(string name)
    {
        lock (LiveMeterNames)
        {
            var claimed = name;
            for (var n = 2; !LiveMeterNames.Add(claimed); n++)
            {
                claimed = $"{name}.{n}";
            }
            return claimed;
        }
    }

    private void CreateAgentInstruments()
    {
        _meter.CreateObservableGauge("jarvis_agent_tasks", () => Agents.TasksByState.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("state", p.Key.ToString()))), description: "Tasks this node knows, by state.");
        _meter.CreateObservableGauge("jarvis_agent_queue_depth", () => (long)Agents.QueueDepth, description: "Runnable tasks the last assignment round saw.");
        _meter.CreateObservableCounter("jarvis_agent_runs_started", () => Agents.RunsStarted, description: "Runs this node's coordinator started.");
        _meter.CreateObservableCounter("jarvis_agent_lease_expiries", () => Agents.LeaseExpiries, description: "Runs this node's coordinator recorded as past their lease.");
        _meter.CreateObservableGauge("jarvis_agent_duplicate_runs", () => Agents.DuplicateRuns, description: "Duplicate runs counted in the logs of the tasks this node knows.");
        _meter.CreateObservableCounter("jarvis_agent_runner_runs", ObserveRunner, description: "In-process runs by how they ended: started, completed, failed, timedOut, cancelled, abandoned; duplicateStarts and reportsRefused.");
        _meter.CreateObservableGauge("jarvis_agent_runner_running", () => (long)Agents.Runner.Running, description: "In-process runs now.");
        _meter.CreateObservableGauge("jarvis_agent_external_queued", () => (long)Agents.ExternalQueued, description: "Runs of external agents waiting for their worker's poll.");
        _meter.CreateObservableGauge("jarvis_agent_pool_free", () => Agents.Pools.Select(p => new Measurement<double>(p.Free, new KeyValuePair<string, object?>("pool", p.Name))), description: "Free units of each resource pool as this node sees them.");
        _meter.CreateObservableGauge("jarvis_agent_pool_capacity", () => Agents.Pools.Select(p => new Measurement<double>(p.Capacity, new KeyValuePair<string, object?>("pool", p.Name))), description: "Capacity of each resource pool.");
    }

    private IEnumerable<Measurement<long>> ObserveRunner()
    {
        var runner = Agents.Runner;
        yield return Outcome(runner.Started, "started");
        yield return Outcome(runner.Completed, "completed");
        yield return Outcome(runner.Failed, "failed");
        yield return Outcome(runner.TimedOut, "timedOut");
        yield return Outcome(runner.Cancelled, "cancelled");
        yield return Outcome(runner.Abandoned, "abandoned");
        yield return Outcome(runner.DuplicateStarts, "duplicateStarts");
        yield return Outcome(runner.ReportsRefused, "reportsRefused");

        static Measurement<long> Outcome(long value, string outcome) => new(value, new KeyValuePair<string, object?>("outcome", outcome));
    }

    private IEnumerable<Measurement<long>> ObserveLoopFailures()
    {
        foreach (var loop in Enum.GetValues<DriverLoop>())
        {
            yield return new Measurement<long>(LoopFailures(loop), new KeyValuePair<string, object?>("loop", LoopName(loop)));
        }
    }

    private static string LoopName(DriverLoop loop) => loop switch
    {
        DriverLoop.Replica => "replica",
        DriverLoop.Storage => "storage",
        DriverLoop.PeerSend => "peer-send",
        _ => "peer-receive",
    };
    private sealed record ClockFigures(bool Skewed, IReadOnlyDictionary<string, long> Offsets);
}
