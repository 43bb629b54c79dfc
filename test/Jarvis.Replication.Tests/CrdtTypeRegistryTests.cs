using Jarvis.Crdt;

namespace Jarvis.Replication.Tests;

public sealed class CrdtTypeRegistryTests
{
    [Fact]
    public void Names_are_derived_from_the_type_and_are_stable()
    {
        Assert.Equal("GCounter", CrdtTypeRegistry.NameOf(typeof(GCounter)));
        Assert.Equal("ORMap<String,ORSet<Int32>>", CrdtTypeRegistry.NameOf(typeof(ORMap<string, ORSet<int>>)));
    }

    [Fact]
    public void A_registered_type_round_trips_through_its_handler_by_name()
    {
        var registry = new CrdtTypeRegistry();
        registry.Register<ORSet<int>>();
        var set = new ORSet<int>();
        set.Add(new ReplicaId(1), 42);

        var handler = registry.Get("ORSet<Int32>");
        var copy = (ORSet<int>)handler.Decode(handler.Encode(set));

        Assert.True(copy.Contains(42), "a state decoded through the handler found by name holds what was encoded");
    }

    [Fact]
    public void An_unregistered_name_is_refused_with_a_clear_error()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => new CrdtTypeRegistry().Get("ORSet<Guid>"));
        Assert.Contains("Register<T>()", error.Message, StringComparison.Ordinal);
    }
}
