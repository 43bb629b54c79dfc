using System.Globalization;

namespace Jarvis.Bench.Replication;

/// <summary>Reads the option values shared by the replication benchmarks.</summary>
internal static class CommandLine
{
    /// <summary>Reads a comma-separated list of whole numbers of at least <paramref name="minimum"/> after an option.</summary>
    public static bool TryReadList(string[] args, ref int i, int minimum, out int[] values)
    {
        values = [];
        if (i + 1 >= args.Length)
        {
            return false;
        }
        var parts = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = new int[parts.Length];
        for (var p = 0; p < parts.Length; p++)
        {
            if (!int.TryParse(parts[p], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[p]) || parsed[p] < minimum)
            {
                return false;
            }
        }
        values = parsed;
        return parsed.Length > 0;
    }

    /// <summary>Reads a whole number of at least <paramref name="minimum"/> after an option.</summary>
    public static bool TryReadCount(string[] args, ref int i, int minimum, out int value)
    {
        value = 0;
        return i + 1 < args.Length
            && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= minimum;
    }

    /// <summary>Reads a fraction in [0, 1] after an option.</summary>
    public static bool TryReadFraction(string[] args, ref int i, out double value)
    {
        value = 0;
        return i + 1 < args.Length
            && double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && value is >= 0 and <= 1;
    }
}
