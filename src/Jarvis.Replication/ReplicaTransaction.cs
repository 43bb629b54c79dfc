using Jarvis.Crdt;

namespace Jarvis.Replication;

/// <summary>
/// Groups several mutations into one write: one log batch, one acknowledgement, shipped together.
/// Each <see cref="Update{T}"/> applies at once (later updates in the transaction see earlier ones).
/// A transaction is not atomic against failure: if a mutator throws, the updates before it stay applied
/// and are written.
/// </summary>
public sealed class ReplicaTransaction
{
    private readonly ReplicaCore _replica;

    internal ReplicaTransaction(ReplicaCore replica)
    {
        _replica = replica;
    }

    /// <summary>Applies a mutator to the object under <paramref name="key"/> (created empty if absent).</summary>
    /// <param name="key">The object's key.</param>
    /// <param name="mutate">Calls one mutator of the state it is given and returns that mutator's delta.</param>
    /// <returns>The delta.</returns>
    /// <exception cref="KeyTypeMismatchException">The key holds another type.</exception>
    public T Update<T>(string key, Func<T, T> mutate) where T : class, ICrdt<T>
        => _replica.ApplyLocal(key, mutate);

    /// <summary>
    /// Removes what this replica has observed of the object under <paramref name="key"/>: the observed-remove of
    /// a causal CRDT (Almeida, Shoker, Baquero, 2018, §6), a delta whose store is empty and whose context is every
    /// dot the state holds. Joined anywhere, it drops exactly those dots; what was written concurrently, under
    /// dots this replica had not seen, survives. Replicated, logged and acknowledged like any update. An absent
    /// key stays absent.
    /// </summary>
    /// <param name="key">The object's key.</param>
    /// <returns>The delta.</returns>
    /// <exception cref="KeyTypeMismatchException">The key holds another type.</exception>
    public T RemoveObserved<T>(string key) where T : class, ICausalCrdt<T>
        => _replica.ApplyLocal<T>(key, static state =>
        {
            var observed = new CausalContext();
            state.CollectDots(observed);
            var delta = T.CreateEmpty(observed);
            state.Join(delta);
            return delta;
        });
}
