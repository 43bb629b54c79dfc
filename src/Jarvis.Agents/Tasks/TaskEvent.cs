using System.Text.Json;
using System.Text.Json.Serialization;
using Jarvis.Crdt;

namespace Jarvis.Agents.Tasks;

/// <summary>What an event in a task's log records.</summary>
internal static class EventKind
{
    /// <summary>The spec (the first by HLC wins if a key was submitted twice concurrently).</summary>
    public const string Submit = "submit";

    /// <summary>An exclusive claim: attempt, agent, lease end. Not a run yet.</summary>
    public const string Claim = "claim";

    /// <summary>An exclusive claim withdrawn (it saw a competing claim, or could not confirm in time).</summary>
    public const string Yield = "yield";

    /// <summary>A run started: attempt, agent, lease end. Its HLC and node are the run's id.</summary>
    public const string Start = "start";

    /// <summary>A run's lease extended (U), referencing the run.</summary>
    public const string Renew = "renew";

    /// <summary>A run's result (R), referencing the run.</summary>
    public const string Done = "done";

    /// <summary>A run's failure (R: why; Retry: whether another attempt may follow), referencing the run.</summary>
    public const string Fail = "fail";

    /// <summary>A run stopped because another run of its attempt won, or its task ended; referencing the run.</summary>
    public const string Stop = "stop";

    /// <summary>A run (or claim) seen with its lease past, written by the node that takes the next attempt.</summary>
    public const string Expire = "expire";

    /// <summary>The task cancelled (R: why).</summary>
    public const string Cancel = "cancel";

    /// <summary>The deadline passed before any run started.</summary>
    public const string Deadline = "deadline";
}

/// <summary>
/// One immutable entry of a task's log (a <c>GSet&lt;string&gt;</c> of these, JSON-encoded). Unique: every event
/// carries the HLC time and the node that wrote it. The task's state is a pure function of the set (<see cref="TaskView"/>).
/// </summary>
internal sealed record TaskEvent
{
    [JsonPropertyName("k")] public required string Kind { get; init; }

    [JsonPropertyName("w")] public ulong Wall { get; init; }

    [JsonPropertyName("l")] public uint Logical { get; init; }

    [JsonPropertyName("n")] public ulong Node { get; init; }

    [JsonPropertyName("a"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Attempt { get; init; }

    [JsonPropertyName("g"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Agent { get; init; }

    [JsonPropertyName("u"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong LeaseUntil { get; init; }

    [JsonPropertyName("r"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Run { get; init; }

    [JsonPropertyName("x"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Text { get; init; }

    [JsonPropertyName("retry"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Retry { get; init; }

    [JsonPropertyName("ms"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long ElapsedMs { get; init; }

    [JsonPropertyName("wt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Weight { get; init; }

    [JsonPropertyName("s"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public TaskSpec? Spec { get; init; }

    [JsonIgnore] public HlcTimestamp Time => new(Wall, Logical);

    [JsonIgnore] public RunId Id => new(Time, new ReplicaId(Node));

    public string Encode() => JsonSerializer.Serialize(this, AgentsJson.Default.TaskEvent);

    /// <summary>Reads an event; null for text that is not one (a log entry written by a newer version, or damaged) — skipped, never fatal.</summary>
    public static TaskEvent? TryDecode(string text)
    {
        try
        {
            var decoded = JsonSerializer.Deserialize(text, AgentsJson.Default.TaskEvent);
            return decoded is { Kind: not null } ? decoded : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static TaskEvent At(string kind, HlcTimestamp time, ReplicaId node) => new() { Kind = kind, Wall = time.WallTime, Logical = time.Logical, Node = node.Value };
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TaskEvent))]
[JsonSerializable(typeof(TaskSpec))]
[JsonSerializable(typeof(Registry.AgentDescriptor))]
[JsonSerializable(typeof(Plans.PlanRecord))]
internal sealed partial class AgentsJson : JsonSerializerContext;
