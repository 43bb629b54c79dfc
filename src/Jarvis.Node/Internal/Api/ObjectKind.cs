using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// One object type of the client API (<c>gcounter</c>, <c>set</c>, ...): the CRDT behind it, how a JSON
/// operation becomes a mutation, and how a state renders as a JSON value.
/// </summary>
internal abstract class ObjectKind
{
    protected ObjectKind(string apiName, string typeName)
    {
        ApiName = apiName;
        TypeName = typeName;
    }

    /// <summary>The name in <c>?type=</c> and in responses.</summary>
    public string ApiName { get; }

    /// <summary>The CRDT type name in the registry (what the store and the wire say).</summary>
    public string TypeName { get; }

    /// <summary>Parses one operation; a refusal says why, in a sentence for the problem detail.</summary>
    public abstract bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error);

    /// <summary>The state's value as JSON.</summary>
    public abstract JsonNode? Render(object state);

    protected static bool TryGetOp(JsonElement body, out string op, out string? error)
    {
        op = string.Empty;
        if (body.ValueKind != JsonValueKind.Object)
        {
            error = "The body must be a JSON object holding one operation.";
            return false;
        }
        if (!body.TryGetProperty("op", out var value) || value.ValueKind != JsonValueKind.String)
        {
            error = "The operation needs an \"op\" string.";
            return false;
        }
        op = value.GetString()!;
        error = null;
        return true;
    }

    protected static bool TryGetString(JsonElement body, string name, out string value, out string? error)
    {
        value = string.Empty;
        if (!body.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            error = $"The operation needs a \"{name}\" string.";
            return false;
        }
        value = element.GetString()!;
        error = null;
        return true;
    }

    protected static bool TryGetAmount(JsonElement body, out ulong amount, out string? error)
    {
        amount = 1;
        error = null;
        if (!body.TryGetProperty("by", out var element))
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

    protected static bool Unknown(string op, string allowed, out ObjectMutation? mutation, out string? error)
    {
        mutation = null;
        error = $"Unknown op '{op}' for this type: use {allowed}.";
        return false;
    }

    protected static bool Accept(ObjectMutation built, out ObjectMutation? mutation, out string? error)
    {
        mutation = built;
        error = null;
        return true;
    }

    protected static bool Refuse(string? reason, out ObjectMutation? mutation, out string? error)
    {
        mutation = null;
        error = reason;
        return false;
    }
}

/// <summary>A parsed operation, applied on the replica's loop inside one write.</summary>
/// <param name="transaction">The write's transaction.</param>
/// <param name="key">The object's key.</param>
/// <param name="context">The replica id and clock the mutation stamps.</param>
internal delegate void ObjectMutation(ReplicaTransaction transaction, string key, MutationContext context);

/// <summary>What a mutation needs from its replica: the author id and the hybrid logical clock.</summary>
internal sealed record MutationContext(ReplicaId Replica, HybridLogicalClock Clock);
