using Jarvis.Crdt.Encoding;
using Microsoft.Extensions.Time.Testing;
using static Jarvis.Crdt.Tests.Semantics.Replicas;

namespace Jarvis.Crdt.Tests.Semantics;

/// <summary>Types that carry hybrid-logical-clock timestamps report the largest one, so a replica can check a received state before joining it.</summary>
public sealed class HlcTimestampedTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ulong StartMs = (ulong)Start.ToUnixTimeMilliseconds();

    [Fact]
    public void A_register_reports_the_timestamp_of_its_winning_write()
    {
        var register = new LWWRegister<string>();
        Rule.Equal(HlcTimestamp.Zero, register.LatestTimestamp, "a register never written carries no timestamp");

        var delta = register.Set(A, new HlcTimestamp(StartMs + 5, 1), "x");
        register.Set(B, new HlcTimestamp(StartMs + 2, 0), "older");

        Rule.Equal(new HlcTimestamp(StartMs + 5, 1), register.LatestTimestamp, "the register reports its winning write's timestamp");
        Rule.Equal(new HlcTimestamp(StartMs + 5, 1), delta.LatestTimestamp, "a delta reports the timestamp it carries");
    }

    [Fact]
    public void An_lww_map_reports_its_largest_timestamp_removals_included()
    {
        var map = new LWWMap<string, int>();
        Rule.Equal(HlcTimestamp.Zero, map.LatestTimestamp, "an empty map carries no timestamp");

        map.Set(A, new HlcTimestamp(StartMs + 1, 0), "a", 1);
        map.Remove(B, new HlcTimestamp(StartMs + 9, 2), "b");
        map.Set(A, new HlcTimestamp(StartMs + 4, 0), "c", 3);

        Rule.Equal(new HlcTimestamp(StartMs + 9, 2), map.LatestTimestamp, "the map reports the largest timestamp of any entry, a tombstone's included");
    }

    [Fact]
    public void An_or_map_reports_the_largest_timestamp_its_values_carry_at_any_depth()
    {
        var plain = new ORMap<string, ORSet<string>>();
        plain.Update("k", s => s.Add(A, "x"));
        var nested = new ORMap<string, ORMap<string, StampedValue>>();
        nested.Update("outer", inner => inner.Update("early", v => v.Stamp(A, new HlcTimestamp(StartMs + 3, 0))));
        nested.Update("outer", inner => inner.Update("late", v => v.Stamp(B, new HlcTimestamp(StartMs + 70, 5))));
        nested.Update("other", inner => inner.Update("x", v => v.Stamp(C, new HlcTimestamp(StartMs + 20, 0))));

        Rule.Equal(HlcTimestamp.Zero, plain.LatestTimestamp, "a map of values without timestamps carries none");
        Rule.Equal(new HlcTimestamp(StartMs + 70, 5), nested.LatestTimestamp, "a map reports the largest timestamp of any value, nested maps included");
    }

    [Fact]
    public void A_written_register_read_back_from_the_wire_reports_the_same_timestamp()
    {
        var clock = new HybridLogicalClock(new FakeTimeProvider(Start));
        var register = new LWWRegister<string>();
        register.Set(A, clock, "v");

        Rule.Equal(register.LatestTimestamp, Wire.Ship(register).LatestTimestamp, "the timestamp survives encoding, so a receiver checks what the writer stamped");
    }

    /// <summary>A causal value carrying one timestamp per writer incarnation (the largest wins): the smallest nestable type with timestamps.</summary>
    public sealed class StampedValue : CausalCrdt<StampedValue, IncarnationStore<StampPayload>>, ICausalCrdt<StampedValue>, IHlcTimestamped
    {
        private StampedValue(CausalContext context)
            : base(context)
        {
        }

        public static CrdtTypeCode TypeCode => CrdtTypeCode.GSet;

        public HlcTimestamp LatestTimestamp
        {
            get
            {
                var latest = HlcTimestamp.Zero;
                for (var i = 0; i < Store.Count; i++)
                {
                    latest = Store[i].Value.Timestamp > latest ? Store[i].Value.Timestamp : latest;
                }
                return latest;
            }
        }

        public static StampedValue CreateEmpty() => new(new CausalContext());

        public static StampedValue CreateEmpty(CausalContext context) => new(context);

        public StampedValue Stamp(ReplicaId replica, HlcTimestamp timestamp)
        {
            var payload = Store.GetOrMint(replica, Context, () => new StampPayload(), out var dot, out _);
            payload.Join(new StampPayload { Timestamp = timestamp });
            var delta = NewDelta();
            delta.Context.Add(dot);
            delta.Store.Set(dot, new StampPayload { Timestamp = timestamp });
            return delta;
        }
    }

    /// <summary>One timestamp, joined by maximum.</summary>
    public sealed class StampPayload : IIncarnationPayload<StampPayload>
    {
        public HlcTimestamp Timestamp { get; set; }

        public bool Join(StampPayload other)
        {
            if (other.Timestamp <= Timestamp)
            {
                return false;
            }
            Timestamp = other.Timestamp;
            return true;
        }

        public StampPayload Clone() => new() { Timestamp = Timestamp };

        public void Write(CrdtWriter writer) => Timestamp.WriteTo(writer);

        public static StampPayload Read(ref CrdtReader reader) => new() { Timestamp = HlcTimestamp.ReadFrom(ref reader) };
    }
}
