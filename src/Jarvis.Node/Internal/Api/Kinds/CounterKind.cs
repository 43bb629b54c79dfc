using System.Text.Json;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary>
/// What the counter kinds share: the <c>"by"</c> amount (1 to 2^63 − 1, default 1), the refusal of an increment or
/// decrement that would push this node's own 64-bit entry past 2^64 − 1 (422, nothing written), and no DELETE.
/// </summary>
internal abstract class CounterKind<T> : ObjectKind<T> where T : class, ICrdt<T>
{
    protected CounterKind(string apiName)
        : base(apiName)
    {
    }

    public override bool TryDelete(out ObjectMutation? mutation, out string? reason)
    {
        mutation = null;
        reason = $"A {ApiName} cannot be deleted: its value is the sum of every node's own count, and a node can only "
            + "remove what it observed, which would not remove the counts of writes it has not seen (they would reappear). "
            + "Use a new key instead.";
        return false;
    }

    /// <summary>A counter holds a value once written (zero is a value).</summary>
    protected override bool HasValue(T state) => true;

    protected static bool TryGetAmount(OperationFields fields, out ulong amount, out string? error)
    {
        amount = 1;
        error = null;
        if (!fields.TryGet("by", out var element))
        {
            return true;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetUInt64(out amount) || amount == 0 || amount > long.MaxValue)
        {
            error = "\"by\" must be a whole number from 1 to 9223372036854775807.";
            return false;
        }
        return true;
    }

    /// <summary>Runs a counter mutator, turning an overflow of this node's entry into a 422.</summary>
    protected static T Counted(string what, Func<T> mutator)
    {
        try
        {
            return mutator();
        }
        catch (OverflowException exception)
        {
            throw new UnprocessableOperationException(
                "Counter overflow",
                $"Nothing was written: this node's own {what} of the counter would pass 18446744073709551615 (each node counts in 64 bits).",
                exception);
        }
    }
}
