using System.Diagnostics.Metrics;

namespace Jarvis.Node.Internal;

/// <summary>
/// The node's instruments, on a meter named per node (<c>Jarvis.Node.NAME</c>) so several nodes in one
/// process export only their own figures. Gauges read the latest <see cref="NodeSnapshot"/>. Thread-safe.
/// </summary>
internal sealed class NodeMetrics : IDisposable
{
    public const string MeterPrefix = "Jarvis.Node.";

    // Latency buckets in seconds, from a millisecond to ten seconds (the default buckets assume milliseconds).
    public static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _framesDropped;
    private readonly Counter<long> _decodeErrors;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _protocolErrors;
    private readonly Counter<long> _storageFailures;
    private readonly Histogram<double> _writeDuration;
    private readonly Histogram<double> _readDuration;
    private NodeSnapshot _snapshot = NodeSnapshot.Empty;

    public NodeMetrics(string nodeName)
    {
        MeterName = MeterPrefix + nodeName;
        _meter = new Meter(MeterName);
        _bytesSent = _meter.CreateCounter<long>("jarvis_bytes_sent", description: "Bytes of replication messages written to peer streams.");
        _bytesReceived = _meter.CreateCounter<long>("jarvis_bytes_received", description: "Bytes of replication messages read from peer streams.");
        _framesDropped = _meter.CreateCounter<long>("jarvis_peer_frames_dropped", description: "Messages dropped because a peer's send queue was full or the peer had no known address.");
        _decodeErrors = _meter.CreateCounter<long>("jarvis_peer_decode_errors", description: "Received frames that did not decode and were dropped.");
        _refusals = _meter.CreateCounter<long>("jarvis_peer_refusals", description: "Peer connections or hellos refused (certificate or name checks).");
        _protocolErrors = _meter.CreateCounter<long>("jarvis_protocol_errors", description: "Messages the replica could not use (reported by the core).");
        _storageFailures = _meter.CreateCounter<long>("jarvis_storage_failures", description: "Storage requests that failed.");
        _writeDuration = _meter.CreateHistogram<double>("jarvis_write_duration", unit: "s", description: "Client writes, from request to outcome.");
        _readDuration = _meter.CreateHistogram<double>("jarvis_read_duration", unit: "s", description: "Client reads, from request to answer.");
        _meter.CreateObservableGauge("jarvis_replication_lag_records", () => Volatile.Read(ref _snapshot).LagByPeer.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("peer", p.Key))), description: "Records this node holds beyond what each peer acknowledged.");
        _meter.CreateObservableGauge("jarvis_delta_buffer_deltas", () => (long)Volatile.Read(ref _snapshot).DeltaBufferCount, description: "Deltas held for peers that have not acknowledged them.");
        _meter.CreateObservableGauge("jarvis_delta_buffer_bytes", () => Volatile.Read(ref _snapshot).DeltaBufferBytes, description: "Bytes of deltas held for peers that have not acknowledged them.");
        _meter.CreateObservableGauge("jarvis_members", () => Volatile.Read(ref _snapshot).MemberCounts.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("status", p.Key))), description: "Members by the status this node believes.");
    }

    public string MeterName { get; }

    public NodeSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public void Publish(NodeSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    public void Sent(int bytes) => _bytesSent.Add(bytes);

    public void Received(int bytes) => _bytesReceived.Add(bytes);

    public void FrameDropped() => _framesDropped.Add(1);

    public void DecodeError() => _decodeErrors.Add(1);

    public void Refused() => _refusals.Add(1);

    public void ProtocolError() => _protocolErrors.Add(1);

    public void StorageFailed() => _storageFailures.Add(1);

    public void WriteTook(TimeSpan elapsed) => _writeDuration.Record(elapsed.TotalSeconds);

    public void ReadTook(TimeSpan elapsed) => _readDuration.Record(elapsed.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
