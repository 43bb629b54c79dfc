using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// One object type of the client API (<c>gcounter</c>, <c>set</c>, ...): the CRDT behind it, how a JSON
/// operation becomes a mutation, how a state renders as a JSON value, and how a DELETE removes it. Each kind
/// lives in a file of its own under <c>Kinds/</c>; <see cref="ObjectKinds"/> lists them.
/// </summary>
/// <remarks>
/// An object that holds nothing — the state every replica starts from, or what a delete or removals leave —
/// has no value: <see cref="Render"/> gives null, and the API reads it as absent.
/// </remarks>
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

    /// <summary>
    /// Parses one operation, a JSON object with an <c>"op"</c> string and the fields that op takes (no others);
    /// a refusal says why, in a sentence for the problem detail.
    /// </summary>
    public bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
    {
        mutation = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            error = "The body must be a JSON object holding one operation.";
            return false;
        }
        var fields = new OperationFields(body);
        if (!fields.TryGetString("op", out var op, out error))
        {
            return false;
        }
        if (!TryParse(op, fields, out mutation, out error))
        {
            mutation = null;
            return false;
        }
        if (fields.Unasked($"'{op}' of a {ApiName}") is { } unknown)
        {
            mutation = null;
            error = unknown;
            return false;
        }
        return true;
    }

    /// <summary>Whether the state holds a value (false: it reads as absent).</summary>
    public abstract bool HasValue(object state);

    /// <summary>The state's value as JSON; null when it holds none (<see cref="HasValue"/>).</summary>
    public abstract JsonNode? Render(object state);

    /// <summary>The mutation of a DELETE (removing what this replica observed), or why this type cannot be deleted.</summary>
    public abstract bool TryDelete(out ObjectMutation? mutation, out string? reason);

    /// <summary>Parses the fields of an operation named <paramref name="op"/>.</summary>
    protected abstract bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error);

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

    /// <summary>Runs a mutator whose own rules may refuse it, turning the refusal into <see cref="ObjectRefusedException"/> (409).</summary>
    protected static T Ruled<T>(Func<T> mutator)
    {
        try
        {
            return mutator();
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            throw new ObjectRefusedException(exception.Message, exception);
        }
    }
}

/// <summary>An object type backed by the CRDT <typeparamref name="T"/>.</summary>
internal abstract class ObjectKind<T> : ObjectKind where T : class, ICrdt<T>
{
    protected ObjectKind(string apiName)
        : base(apiName, CrdtTypeRegistry.NameOf(typeof(T)))
    {
    }

    public sealed override bool HasValue(object state) => HasValue((T)state);

    public sealed override JsonNode? Render(object state) => HasValue((T)state) ? RenderValue((T)state) : null;

    /// <inheritdoc cref="ObjectKind.HasValue(object)"/>
    protected abstract bool HasValue(T state);

    /// <summary>The value of a state that holds one.</summary>
    protected abstract JsonNode RenderValue(T state);

    /// <summary>A mutation of the state under the key: <paramref name="mutate"/> calls one mutator and returns its delta.</summary>
    protected static ObjectMutation Update(Func<T, MutationContext, T> mutate)
        => (transaction, key, context) => transaction.Update<T>(key, state => mutate(state, context));
}

/// <summary>
/// An object type backed by a causal CRDT: it holds a value while its store holds a dot, and a DELETE is the
/// observed-remove (<see cref="ReplicaTransaction.RemoveObserved{T}"/>): every dot this replica has seen is
/// removed, writes it had not seen survive.
/// </summary>
internal abstract class CausalObjectKind<T> : ObjectKind<T> where T : class, ICausalCrdt<T>
{
    protected CausalObjectKind(string apiName)
        : base(apiName)
    {
    }

    public override bool TryDelete(out ObjectMutation? mutation, out string? reason)
    {
        mutation = static (transaction, key, _) => transaction.RemoveObserved<T>(key);
        reason = null;
        return true;
    }

    protected override bool HasValue(T state) => state.DotCount > 0;
}

/// <summary>A parsed operation, applied on the replica's loop inside one write.</summary>
/// <param name="transaction">The write's transaction.</param>
/// <param name="key">The object's key.</param>
/// <param name="context">The replica id and clock the mutation stamps.</param>
internal delegate void ObjectMutation(ReplicaTransaction transaction, string key, MutationContext context);

/// <summary>What a mutation needs from its replica: the author id and the hybrid logical clock.</summary>
internal sealed record MutationContext(ReplicaId Replica, HybridLogicalClock Clock);
