using Jarvis.Crdt;

namespace Jarvis.Replication;

/// <summary>
/// A typed handle on one key of a replica, e.g. <c>replica.Handle&lt;ORSet&lt;string&gt;&gt;("users/42/tags")</c>.
/// Cheap to create; holds no state of its own.
/// </summary>
/// <typeparam name="T">The key's CRDT type.</typeparam>
public readonly struct ObjectHandle<T> where T : class, ICrdt<T>
{
    private readonly ReplicaCore _replica;

    internal ObjectHandle(ReplicaCore replica, string key)
    {
        _replica = replica;
        Key = key;
    }

    /// <summary>The key.</summary>
    public string Key { get; }

    /// <summary>The current state (a live view: change it only through <see cref="Update"/>), or null if the key is absent.</summary>
    public T? Value => _replica.Get<T>(Key);

    /// <summary>Applies a mutator as a write of its own; see <see cref="ReplicaCore.Write"/>.</summary>
    /// <returns>The write id that a later <see cref="WriteCompleted"/> output reports on.</returns>
    public long Update(Func<T, T> mutate, Consistency consistency = Consistency.Local, long? timeoutMs = null)
    {
        var key = Key;
        return _replica.Write(tx => tx.Update(key, mutate), consistency, timeoutMs);
    }
}
