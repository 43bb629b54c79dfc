namespace Jarvis.Agents.Scheduling.Internal;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood, OOPSLA 2014): a generator whose sequence is fixed by its seed and by this code
/// alone, not by the runtime's <see cref="Random"/>, so a seeded search gives the same schedule on every version.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1), from the top 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, bound), bound ≥ 1.</summary>
    public int NextInt(int bound) => (int)((Next() >> 33) * (ulong)bound >> 31);
}
