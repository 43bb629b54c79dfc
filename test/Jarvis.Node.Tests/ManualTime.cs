namespace Jarvis.Node.Tests;

/// <summary>A clock that moves only when a test advances it (milliseconds).</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _now;

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => Interlocked.Read(ref _now);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)by.TotalMilliseconds);
}
