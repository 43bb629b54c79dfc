namespace Jarvis.Crdt;

public sealed partial class TimeSeries
{
    /// <summary>
    /// Joins another state or delta into this one: the causal join of the incarnation stores (an incarnation
    /// survives unless the other side has seen and removed it; the payloads of an incarnation both hold are
    /// joined), then the contexts.
    /// </summary>
    /// <exception cref="ArgumentException">Both states hold incarnations but their window sizes differ (nothing is changed).</exception>
    public bool Join(TimeSeries other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return false;
        }
        var storeChanged = JoinStore(other, Context, other.Context);
        return Context.UnionWith(other.Context) | storeChanged;
    }

    /// <summary>A deep copy with its own context.</summary>
    public TimeSeries Clone() => CloneStore(Context.Clone());

    /// <summary>Why a join would be refused: both series hold incarnations, in windows of different sizes. Null otherwise.</summary>
    public string? JoinConflict(TimeSeries other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return !other._store.IsEmpty && !_store.IsEmpty && other._windowMs != _windowMs
            ? $"a series of {other._windowMs} ms windows is not one of {_windowMs} ms windows"
            : null;
    }

    /// <inheritdoc/>
    /// <remarks>A series holding no incarnation adopts the window size of the incarnations it receives.</remarks>
    /// <exception cref="ArgumentException">Both stores hold incarnations but their window sizes differ (nothing is changed).</exception>
    public bool JoinStore(TimeSeries other, CausalContext thisContext, CausalContext otherContext)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other._store.IsEmpty && !_store.IsEmpty && other._windowMs != _windowMs)
        {
            throw new ArgumentException($"Cannot join a series of {other._windowMs} ms windows into one of {_windowMs} ms windows.", nameof(other));
        }
        var wasEmpty = _store.IsEmpty;
        var changed = _store.JoinStore(other._store, thisContext, otherContext);
        if (changed)
        {
            if (wasEmpty)
            {
                _windowMs = other._windowMs;
            }
            StoreChanged();
        }
        return changed;
    }

    /// <summary>What a removal of the series (an <see cref="ORMap{TKey, TValue}"/> key) does: drops the incarnations <paramref name="otherContext"/> has seen, whole.</summary>
    public bool RemoveCovered(CausalContext otherContext)
    {
        var changed = _store.RemoveCovered(otherContext);
        if (changed)
        {
            StoreChanged();
        }
        return changed;
    }

    /// <inheritdoc/>
    public void CollectDots(CausalContext into) => _store.CollectDots(into);

    /// <inheritdoc/>
    public TimeSeries CloneStore(CausalContext context)
    {
        var copy = new TimeSeries(context, _windowMs) { _store = _store.CloneStore(context) };
        copy.StoreChanged();
        return copy;
    }

    /// <summary>Whether <paramref name="replica"/> has a live incarnation.</summary>
    public bool HoldsDotsOf(ReplicaId replica) => _store.TryGetLatest(replica, out _, out _);

    /// <summary>
    /// Forgets a departed replica's context entry. The engine asks only once the replica holds nothing
    /// (<see cref="HoldsDotsOf"/> is false); while it has a live incarnation this does nothing, since its
    /// points are data, not metadata.
    /// </summary>
    public bool Forget(ReplicaId replica) => !HoldsDotsOf(replica) && Context.Remove(replica);
}
