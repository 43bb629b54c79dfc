using Jarvis.Crdt.Encoding;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>What the counters refuse and how they print (mutation testing showed their argument checks untested).</summary>
public sealed class GCounterGuardTests
{
    [Fact]
    public void Null_arguments_and_the_none_replica_are_refused_and_change_nothing()
    {
        var counter = new GCounter();
        counter.Increment(A, 3);
        Assert.Throws<ArgumentNullException>(() => counter.Join(null!));
        Assert.Throws<ArgumentNullException>(() => counter.WriteTo(null!));
        Assert.Contains("needs a replica id", Assert.Throws<ArgumentException>(() => counter.Increment(default, 1)).Message, StringComparison.Ordinal);
        Assert.Equal(3UL, (ulong)counter.Value);
        Assert.Equal("3 {" + A + "=3}", counter.ToString());
    }
}

/// <summary>What the PN-counter refuses and how it prints.</summary>
public sealed class PNCounterGuardTests
{
    [Fact]
    public void Null_arguments_and_the_none_replica_are_refused_and_change_nothing()
    {
        var counter = new PNCounter();
        counter.Increment(A, 5);
        counter.Decrement(B, 2);
        Assert.Throws<ArgumentNullException>(() => counter.Join(null!));
        Assert.Throws<ArgumentNullException>(() => counter.WriteTo(null!));
        Assert.Contains("needs a replica id", Assert.Throws<ArgumentException>(() => counter.Increment(default, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("needs a replica id", Assert.Throws<ArgumentException>(() => counter.Decrement(default, 1)).Message, StringComparison.Ordinal);
        Assert.Equal(3, (long)counter.Value);
        Assert.Equal("3 (+{" + A + "=5} -{" + B + "=2})", counter.ToString());
    }
}

/// <summary>What the observed-remove set refuses and how it prints.</summary>
public sealed class ORSetGuardTests
{
    [Fact]
    public void Null_items_are_refused_and_change_nothing()
    {
        var set = new ORSet<string>();
        set.Add(A, "x");
        Assert.Throws<ArgumentNullException>(() => set.Add(A, null!));
        Assert.Throws<ArgumentNullException>(() => set.Remove(null!));
        Assert.Equal(["x"], set.Elements);
        set.Add(B, "y");
        Assert.Equal("{x, y}", set.ToString());
    }
}
