namespace Jarvis.Simulation.Internal;

/// <summary>
/// The hostile and extreme values the seeded workload writes besides ordinary ones (issue 12: values a JSON client
/// may send): counter amounts up to 2^63 - 1, so totals over the replicas pass 2^64 and a replica's own entry can
/// overflow (refused); series values of ±1.7e308, ±0, NaN and ±infinity, the large ones crowded into one window so
/// sums overflow (refused at one replica, infinite once merged from several); text with characters outside the
/// Basic Multilingual Plane, which random edit positions then try to split (refused); keys with dots and odd
/// characters that are still valid keys.
/// </summary>
internal static class ExtremeValues
{
    private const double Largest = 1.7e308;

    private static readonly string[] RegisterKeys = ["register", "reg/v1.2.3", "reg/.hidden/a..b", "reg/ünïcödé 😀 ~!$&'()*+,;=:@"];

    /// <summary>A counter amount: half the time one of at least 2^62, up to 2^63 - 1 (a quarter of those exactly); else 1 to 5.</summary>
    public static ulong CounterAmount(Random random) => random.Next(2) == 0
        ? (random.Next(4) == 0 ? long.MaxValue : (ulong)random.NextInt64(1L << 62, long.MaxValue))
        : (ulong)(1 + random.Next(5));

    /// <summary>
    /// An append to the series under <paramref name="mapKey"/>: a quarter of them ±1.7e308 in the first window, some ±0,
    /// NaN or ±infinity, the rest <c>stamp % 97</c> at <paramref name="stamp"/>.
    /// </summary>
    public static SimulatedMutation SeriesAppend(Random random, string key, string mapKey, ulong stamp) => random.Next(16) switch
    {
        < 4 => SimulatedMutation.SeriesAppend(key, mapKey, stamp % 1_000, random.Next(2) == 0 ? Largest : -Largest),
        4 => SimulatedMutation.SeriesAppend(key, mapKey, stamp, 0.0),
        5 => SimulatedMutation.SeriesAppend(key, mapKey, stamp, -0.0),
        6 => SimulatedMutation.SeriesAppend(key, mapKey, stamp, double.NaN),
        7 => SimulatedMutation.SeriesAppend(key, mapKey, stamp % 1_000, random.Next(2) == 0 ? double.PositiveInfinity : double.NegativeInfinity),
        _ => SimulatedMutation.SeriesAppend(key, mapKey, stamp),
    };

    /// <summary>Text to insert: the element name, half the time with a character of two UTF-16 units before or after it.</summary>
    public static string Text(Random random, string element) => random.Next(4) switch
    {
        0 => "😀" + element,
        1 => element + "𝄞",
        _ => element,
    };

    /// <summary>The key of a register: the plain one half the time, else one with dots or odd characters.</summary>
    public static string RegisterKey(Random random) => random.Next(2) == 0 ? RegisterKeys[0] : RegisterKeys[1 + random.Next(RegisterKeys.Length - 1)];
}
