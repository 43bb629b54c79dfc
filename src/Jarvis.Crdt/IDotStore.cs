using Jarvis.Crdt.Encoding;

namespace Jarvis.Crdt;

/// <summary>
/// A dot store (Almeida, Shoker, Baquero, 2018, §6.1): the part of a causal CRDT that maps dots to
/// content. Paired with a <see cref="CausalContext"/>, a dot in the context but not in the store was
/// removed. <see cref="DotSet"/>, <see cref="DotFun{TValue}"/> and <see cref="DotMap{TKey, TStore}"/>
/// are the primitive stores; causal CRDTs are themselves stores so that they nest in
/// <see cref="ORMap{TKey, TValue}"/>.
/// </summary>
/// <typeparam name="TSelf">The implementing store type.</typeparam>
public interface IDotStore<TSelf> where TSelf : IDotStore<TSelf>
{
    /// <summary>Whether the store is bottom (holds no dot).</summary>
    bool IsEmpty { get; }

    /// <summary>The number of dots the store holds, at every depth.</summary>
    int DotCount { get; }

    /// <summary>
    /// The causal join of stores, in place: <c>(this, thisContext) ⊔ (other, otherContext)</c> keeps a dot
    /// if both stores hold it, or if one holds it and the other's context has not seen it. Contexts are
    /// left unchanged; the caller joins them afterwards.
    /// </summary>
    /// <returns>Whether this store changed.</returns>
    bool JoinStore(TSelf other, CausalContext thisContext, CausalContext otherContext);

    /// <summary>Joins with the bottom store of a context: drops every dot <paramref name="otherContext"/> has seen.</summary>
    /// <returns>Whether this store changed.</returns>
    bool RemoveCovered(CausalContext otherContext);

    /// <summary>Adds every dot held by the store to <paramref name="into"/>.</summary>
    void CollectDots(CausalContext into);

    /// <summary>A deep copy whose nested values (if any) share <paramref name="context"/>.</summary>
    TSelf CloneStore(CausalContext context);

    /// <summary>The empty store; nested causal values bind to <paramref name="context"/>.</summary>
    static abstract TSelf CreateEmpty(CausalContext context);

    /// <summary>Writes the store; dots name their replica by its position in <paramref name="context"/>.</summary>
    void WriteStore(CrdtWriter writer, CausalContext context);

    /// <summary>Reads a store written by <see cref="WriteStore"/>; every dot must be in <paramref name="context"/>.</summary>
    static abstract TSelf ReadStore(ref CrdtReader reader, CausalContext context);
}
