using System.Text.Json.Nodes;
using Jarvis.Replication;

namespace Jarvis.Node.Internal;

/// <summary>How a client write ended: its outcome, or the type that refused it, with the object's value then.</summary>
internal sealed record WriteResult(WriteOutcome? Outcome, string Type, JsonNode? Value, string? ConflictingType = null);

/// <summary>What a client read found: the object's type and value (null type: absent), and whether a quorum read timed out.</summary>
internal sealed record ReadResult(string? Type, JsonNode? Value, bool TimedOut);
