namespace Jarvis.Simulation;

/// <summary>One mutation of a simulated write; a write of several is one transaction.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Key">The object's key.</param>
/// <param name="Element">The set element, nested-map key or register value (unused by counters).</param>
/// <param name="Amount">The counter amount (a local increment that would take the writer's own entry past 2^64 - 1 is refused,
/// nothing written), the text position, the series timestamp or the workflow choice.</param>
/// <param name="Element2">The element inside a nested set (<see cref="MutationKind.NestedAdd"/> only).</param>
/// <param name="Value">The value a <see cref="MutationKind.SeriesAppend"/> appends (unused otherwise).</param>
public sealed record SimulatedMutation(MutationKind Kind, string Key, string Element = "", ulong Amount = 0, string Element2 = "", double Value = 0)
{
    /// <summary>Adds <paramref name="element"/> to the set at <paramref name="key"/>.</summary>
    public static SimulatedMutation SetAdd(string key, string element) => new(MutationKind.SetAdd, key, element);

    /// <summary>Adds <paramref name="count"/> elements named <paramref name="prefix"/> followed by 0..count-1 to the set at <paramref name="key"/>, as one delta.</summary>
    public static SimulatedMutation SetAddRange(string key, string prefix, int count) => new(MutationKind.SetAddRange, key, prefix, (ulong)count);

    /// <summary>Removes <paramref name="element"/> from the set at <paramref name="key"/>.</summary>
    public static SimulatedMutation SetRemove(string key, string element) => new(MutationKind.SetRemove, key, element);

    /// <summary>Adds <paramref name="element"/> to the nested set under <paramref name="mapKey"/> of the map at <paramref name="key"/>.</summary>
    public static SimulatedMutation NestedAdd(string key, string mapKey, string element) => new(MutationKind.NestedAdd, key, mapKey, 0, element);

    /// <summary>Removes <paramref name="mapKey"/> from the map at <paramref name="key"/>.</summary>
    public static SimulatedMutation NestedRemove(string key, string mapKey) => new(MutationKind.NestedRemove, key, mapKey);

    /// <summary>Adds <paramref name="amount"/> to the grow-only counter at <paramref name="key"/>.</summary>
    public static SimulatedMutation GCounterIncrement(string key, ulong amount) => new(MutationKind.GCounterIncrement, key, Amount: amount);

    /// <summary>Adds <paramref name="amount"/> to the counter at <paramref name="key"/>.</summary>
    public static SimulatedMutation PNCounterIncrement(string key, ulong amount) => new(MutationKind.PNCounterIncrement, key, Amount: amount);

    /// <summary>Subtracts <paramref name="amount"/> from the counter at <paramref name="key"/>.</summary>
    public static SimulatedMutation PNCounterDecrement(string key, ulong amount) => new(MutationKind.PNCounterDecrement, key, Amount: amount);

    /// <summary>Sets the register at <paramref name="key"/> to <paramref name="value"/>.</summary>
    public static SimulatedMutation RegisterSet(string key, string value) => new(MutationKind.RegisterSet, key, value);

    /// <summary>Inserts <paramref name="text"/> at <c>position % (Length + 1)</c> of the text at <paramref name="key"/>.</summary>
    public static SimulatedMutation TextInsert(string key, string text, ulong position) => new(MutationKind.TextInsert, key, text, position);

    /// <summary>Deletes 1 + (position / 2^32) % 3 characters (at most what is there) at <c>position % Length</c>.</summary>
    public static SimulatedMutation TextDelete(string key, ulong position) => new(MutationKind.TextDelete, key, Amount: position);

    /// <summary>Appends <c>(timestamp, timestamp % 97)</c> to the series under <paramref name="mapKey"/> of the map at <paramref name="key"/>.</summary>
    public static SimulatedMutation SeriesAppend(string key, string mapKey, ulong timestamp) => SeriesAppend(key, mapKey, timestamp, timestamp % 97);

    /// <summary>
    /// Appends <c>(timestamp, value)</c> to the series under <paramref name="mapKey"/> of the map at <paramref name="key"/>:
    /// a value that would make its window's sum non-finite there (NaN and infinities included) is refused, nothing written.
    /// </summary>
    public static SimulatedMutation SeriesAppend(string key, string mapKey, ulong timestamp, double value) => new(MutationKind.SeriesAppend, key, mapKey, timestamp, Value: value);

    /// <summary>Downsamples the series under <paramref name="mapKey"/> of the map at <paramref name="key"/> before <paramref name="timestamp"/>.</summary>
    public static SimulatedMutation SeriesDownsample(string key, string mapKey, ulong timestamp) => new(MutationKind.SeriesDownsample, key, mapKey, timestamp);

    /// <summary>Removes <paramref name="mapKey"/> from the map of series at <paramref name="key"/>.</summary>
    public static SimulatedMutation SeriesRemove(string key, string mapKey) => new(MutationKind.SeriesRemove, key, mapKey);

    /// <summary>Moves the workflow under <paramref name="mapKey"/> of the map at <paramref name="key"/> to its allowed next state number <c>choice % count</c>.</summary>
    public static SimulatedMutation FlowTransition(string key, string mapKey, ulong choice) => new(MutationKind.FlowTransition, key, mapKey, choice);

    /// <summary>Removes <paramref name="mapKey"/> from the map of workflows at <paramref name="key"/>.</summary>
    public static SimulatedMutation FlowRemove(string key, string mapKey) => new(MutationKind.FlowRemove, key, mapKey);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        MutationKind.NestedAdd => $"{Kind} {Key}[{Element}] += {Element2}",
        MutationKind.SetAddRange => $"{Kind} {Key} {Element}0..{Element}{Amount - 1}",
        MutationKind.GCounterIncrement or MutationKind.PNCounterIncrement or MutationKind.PNCounterDecrement => $"{Kind} {Key} {Amount}",
        MutationKind.SeriesAppend => FormattableString.Invariant($"{Kind} {Key}[{Element}] {Amount} {Value:R}"),
        MutationKind.SeriesDownsample or MutationKind.FlowTransition => $"{Kind} {Key}[{Element}] {Amount}",
        _ => $"{Kind} {Key} {Element}",
    };
}
