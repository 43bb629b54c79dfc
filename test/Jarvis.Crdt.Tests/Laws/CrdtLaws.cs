using Jarvis.Crdt;

namespace Jarvis.Crdt.Tests.Laws;

/// <summary>
/// The law kit: subclass once per CRDT type, naming its <see cref="CrdtSpec{T}"/>, and every law below
/// runs against it (<see cref="LawChecker{T}.Iterations"/> generated histories each).
/// </summary>
public abstract class CrdtLaws<T> where T : class, ICrdt<T>
{
    protected abstract CrdtSpec<T> Spec { get; }

    private LawChecker<T> Kit => new(Spec);

    [Fact]
    public void Join_is_commutative() => Kit.Commutativity();

    [Fact]
    public void Join_is_associative() => Kit.Associativity();

    [Fact]
    public void Join_is_idempotent() => Kit.Idempotence();

    [Fact]
    public void Bottom_is_the_identity_of_join() => Kit.BottomIsIdentity();

    [Fact]
    public void Join_reports_exactly_whether_the_state_changed() => Kit.JoinReportsChange();

    [Fact]
    public void Joining_a_delta_equals_applying_the_mutation() => Kit.DeltaMatchesMutation();

    [Fact]
    public void Replicas_converge_under_any_delivery_order_with_duplicates() => Kit.Convergence();

    [Fact]
    public void Encoding_round_trips_and_is_deterministic() => Kit.EncodingRoundTrips();

    [Fact]
    public void Decoder_rejects_every_truncation() => Kit.DecoderRejectsTruncation();

    [Fact]
    public void Decoder_rejects_hostile_bytes_cleanly() => Kit.DecoderRejectsGarbage();

    [Fact]
    public void Decoder_refuses_encodings_one_edit_away_from_canonical() => Kit.DecoderRefusesNearCanonicalEncodings();
}
