using System.Globalization;

namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// The store layout of the pools (docs/agents.md, "Resource pools"), and the checks of names and amounts at the
/// public boundary.
/// </summary>
internal static class PoolKeys
{
    /// <summary>Every pool key starts with this.</summary>
    public const string Prefix = "agents/pools/";

    /// <summary><c>GSet&lt;string&gt;</c>: the names of the pools minted so far (written by each pool's minter).</summary>
    public const string Index = "agents/pools";

    public const int MaxNameLength = 128;

    /// <summary>2^62: sums of capacities and given-back totals stay far from 2^64.</summary>
    public const ulong MaxCapacity = 1UL << 62;

    /// <summary><c>BoundedCounter</c>: the free units, as escrow rights per replica.</summary>
    public static string Counter(string name) => Prefix + name;

    /// <summary><c>LWWRegister&lt;string&gt;</c>: the capacity (decimal), written once, by the minter, with the mint.</summary>
    public static string Definition(string name) => Prefix + name + "/def";

    /// <summary>
    /// <c>LWWMap&lt;string,string&gt;</c>: replica id (decimal) → its latest creation's proposal, "sequence:capacity"
    /// while it may still mint, "sequence:capacity:withdrawn" once it ended without minting; each entry written by
    /// its replica only.
    /// </summary>
    public static string Proposals(string name) => Prefix + name + "/proposals";

    /// <summary><c>LWWMap&lt;string,string&gt;</c>: replica id (decimal) → the units it wants to hold (decimal); each entry written by its replica only.</summary>
    public static string Wants(string name) => Prefix + name + "/wants";

    /// <summary><c>LWWMap&lt;string,string&gt;</c>: replica id (decimal) → units taken there and not given back (decimal); each entry written by its replica only.</summary>
    public static string Held(string name) => Prefix + name + "/held";

    /// <summary>The pool a key belongs to, or null for a key that is not a pool's.</summary>
    public static string? PoolOf(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = key.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        var name = slash < 0 ? rest : rest[..slash];
        return name.Length == 0 ? null : name.ToString();
    }

    public static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A decimal written by this code; anything else (forged or corrupt) reads as absent.</summary>
    public static ulong? Parse(string? text)
        => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <exception cref="ArgumentNullException">The name is null.</exception>
    /// <exception cref="ArgumentException">The name is empty, longer than 128 characters, or holds '/' or a control character.</exception>
    public static void ValidateName(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            throw new ArgumentException($"A pool name has 1 to {MaxNameLength} characters; this one has {name.Length}.", parameter);
        }
        foreach (var c in name)
        {
            if (c == '/' || char.IsControl(c))
            {
                throw new ArgumentException($"A pool name holds no '/' and no control character (U+{(int)c:X4} found).", parameter);
            }
        }
    }

    /// <exception cref="ArgumentOutOfRangeException">The capacity is 0 or above 2^62.</exception>
    public static void ValidateCapacity(ulong capacity, string parameter)
    {
        if (capacity == 0 || capacity > MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(parameter, capacity, $"A pool's capacity is 1 to 2^62 units.");
        }
    }

    /// <exception cref="ArgumentOutOfRangeException">The units are 0 or more than the pool's capacity.</exception>
    public static void ValidateUnits(ulong units, ulong capacity, string parameter)
    {
        if (units == 0 || units > capacity)
        {
            throw new ArgumentOutOfRangeException(parameter, units, $"Units taken or given are 1 to the pool's capacity ({capacity}).");
        }
    }
}
