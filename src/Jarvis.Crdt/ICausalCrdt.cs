namespace Jarvis.Crdt;

/// <summary>
/// A causal CRDT: a dot store paired with a <see cref="CausalContext"/>. Causal CRDTs are also dot
/// stores, so any of them can be the value type of an <see cref="ORMap{TKey, TValue}"/>, nested to any
/// depth; a nested value shares its root's context.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface ICausalCrdt<TSelf> : ICrdt<TSelf>, IDotStore<TSelf> where TSelf : class, ICausalCrdt<TSelf>
{
    /// <summary>The dots this state has seen (shared with the root when nested).</summary>
    CausalContext Context { get; }
}
