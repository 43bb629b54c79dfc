using System.IO.Compression;
using System.Text.Json;

namespace Jarvis.Bench.Trace;

/// <summary>
/// Reads an editing-trace file — gzipped (recognised by its magic bytes, whatever the name) or plain JSON — into
/// an <see cref="EditingTrace"/>, checking its shape. Sequential: <c>{"startContent", "endContent", "txns":
/// [{"patches": [[pos, del, text], ...]}]}</c>; concurrent: <c>{"kind": "concurrent", "endContent", "numAgents",
/// "txns": [{"parents": [...], "agent", "patches"}]}</c>. Other fields (<c>time</c>, <c>numChildren</c>) are ignored.
/// </summary>
internal static class EditingTraceLoader
{
    private static readonly string[] SingleCharacters = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    /// <summary>Loads and checks a trace file.</summary>
    /// <exception cref="TraceLoadException">The file cannot be read or is not a valid editing trace.</exception>
    public static EditingTrace Load(string path)
    {
        byte[] json;
        try
        {
            json = ReadDecompressed(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
        {
            throw new TraceLoadException($"{path}: cannot read: {e.Message}", e);
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(NameOf(path), document.RootElement);
        }
        catch (JsonException e)
        {
            throw new TraceLoadException($"{path}: not valid JSON: {e.Message}", e);
        }
        catch (TraceLoadException e)
        {
            throw new TraceLoadException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The file name without its <c>.gz</c> and <c>.json</c> extensions.</summary>
    public static string NameOf(string path)
    {
        var name = Path.GetFileName(path);
        foreach (var extension in (ReadOnlySpan<string>)[".gz", ".json"])
        {
            if (name.Length > extension.Length && name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^extension.Length];
            }
        }
        return name;
    }

    private static byte[] ReadDecompressed(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
        {
            return bytes;
        }
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var json = new MemoryStream(bytes.Length * 4);
        gzip.CopyTo(json);
        return json.ToArray();
    }

    private static EditingTrace Parse(string name, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TraceLoadException("the top level is not a JSON object");
        }
        var kind = OptionalString(root, "kind", "sequential") switch
        {
            "sequential" => TraceKind.Sequential,
            "concurrent" => TraceKind.Concurrent,
            var other => throw new TraceLoadException($"unknown \"kind\" '{other}' (expected \"sequential\" or \"concurrent\")"),
        };
        var startContent = OptionalString(root, "startContent", string.Empty);
        CheckBasicPlane(startContent, "startContent");
        if (!root.TryGetProperty("endContent", out var end) || end.ValueKind != JsonValueKind.String)
        {
            throw new TraceLoadException("\"endContent\" is missing or not a string");
        }
        var agentCount = 1;
        if (kind == TraceKind.Concurrent
            && (!root.TryGetProperty("numAgents", out var agents) || !IsInt32(agents, out agentCount) || agentCount < 1))
        {
            throw new TraceLoadException("\"numAgents\" is missing or not a whole number of at least 1");
        }
        if (!root.TryGetProperty("txns", out var txns) || txns.ValueKind != JsonValueKind.Array)
        {
            throw new TraceLoadException("\"txns\" is missing or not an array");
        }

        var transactionCount = txns.GetArrayLength();
        var patchStarts = new int[transactionCount + 1];
        var parentStarts = new int[transactionCount + 1];
        var transactionAgents = new int[transactionCount];
        var positions = new List<int>(transactionCount);
        var deleteCounts = new List<int>(transactionCount);
        var inserts = new List<string>(transactionCount);
        var parents = new List<int>(kind == TraceKind.Concurrent ? transactionCount : 0);
        var t = 0;
        foreach (var txn in txns.EnumerateArray())
        {
            if (txn.ValueKind != JsonValueKind.Object)
            {
                throw new TraceLoadException($"txn {t} is not an object");
            }
            if (kind == TraceKind.Concurrent)
            {
                transactionAgents[t] = ReadAgent(txn, t, agentCount);
                ReadParents(txn, t, parents);
            }
            ReadPatches(txn, t, positions, deleteCounts, inserts);
            t++;
            patchStarts[t] = positions.Count;
            parentStarts[t] = parents.Count;
        }

        return new EditingTrace
        {
            Name = name,
            Kind = kind,
            StartContent = startContent,
            EndContent = end.GetString()!,
            AgentCount = agentCount,
            Positions = [.. positions],
            DeleteCounts = [.. deleteCounts],
            Inserts = [.. inserts],
            PatchStarts = patchStarts,
            Agents = transactionAgents,
            ParentStarts = parentStarts,
            Parents = [.. parents],
        };
    }

    private static int ReadAgent(JsonElement txn, int t, int agentCount)
    {
        if (!txn.TryGetProperty("agent", out var agent) || !IsInt32(agent, out var value) || value < 0 || value >= agentCount)
        {
            throw new TraceLoadException($"txn {t}: \"agent\" is missing or not a whole number in [0, numAgents = {agentCount})");
        }
        return value;
    }

    private static void ReadParents(JsonElement txn, int t, List<int> parents)
    {
        if (!txn.TryGetProperty("parents", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new TraceLoadException($"txn {t}: \"parents\" is missing or not an array");
        }
        foreach (var parent in list.EnumerateArray())
        {
            // Parents before children is what lets a replica merge ancestors first by walking indices upwards.
            if (!IsInt32(parent, out var value) || value < 0 || value >= t)
            {
                throw new TraceLoadException($"txn {t}: parent {parent} is not the index of an earlier transaction");
            }
            parents.Add(value);
        }
    }

    private static void ReadPatches(JsonElement txn, int t, List<int> positions, List<int> deleteCounts, List<string> inserts)
    {
        if (!txn.TryGetProperty("patches", out var patches) || patches.ValueKind != JsonValueKind.Array)
        {
            throw new TraceLoadException($"txn {t}: \"patches\" is missing or not an array");
        }
        var p = 0;
        foreach (var patch in patches.EnumerateArray())
        {
            if (patch.ValueKind != JsonValueKind.Array
                || patch.GetArrayLength() != 3
                || !IsInt32(patch[0], out var position) || position < 0
                || !IsInt32(patch[1], out var deleteCount) || deleteCount < 0
                || patch[2].ValueKind != JsonValueKind.String)
            {
                throw new TraceLoadException($"txn {t}, patch {p}: expected [position >= 0, deleteCount >= 0, \"text\"], got {patch}");
            }
            var text = patch[2].GetString()!;
            CheckBasicPlane(text, $"txn {t}, patch {p}");
            positions.Add(position);
            deleteCounts.Add(deleteCount);
            // Keystroke traces are mostly one ASCII character per patch: share those strings.
            inserts.Add(text.Length == 1 && text[0] < 128 ? SingleCharacters[text[0]] : text);
            p++;
        }
    }

    // JsonElement.TryGetInt32 throws on a non-number; a trace with a string there is malformed, not a crash.
    private static bool IsInt32(JsonElement element, out int value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value);
    }

    private static string OptionalString(JsonElement root, string property, string absent)
    {
        if (!root.TryGetProperty(property, out var value))
        {
            return absent;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new TraceLoadException($"\"{property}\" is not a string");
    }

    private static void CheckBasicPlane(string text, string where)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
        {
            throw new TraceLoadException(
                $"{where}: text outside the Basic Multilingual Plane; the format counts positions in code points and this harness replays UTF-16 indices, which then differ");
        }
    }
}
