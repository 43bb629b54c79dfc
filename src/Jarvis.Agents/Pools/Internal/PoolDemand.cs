namespace Jarvis.Agents.Pools.Internal;

/// <summary>
/// The units this replica asked for and could not take, per pool: the largest refused request, lowered by what
/// is taken since, forgotten when nobody repeats it for the demand lifetime. In memory only: a restarted replica
/// asks again at its next refused take.
/// </summary>
internal sealed class PoolDemand
{
    private readonly Dictionary<string, (ulong Units, long NotedAt)> _byPool = new(StringComparer.Ordinal);

    public ulong Of(string pool) => _byPool.TryGetValue(pool, out var demand) ? demand.Units : 0;

    public void Note(string pool, ulong units, long now)
    {
        var current = Of(pool);
        _byPool[pool] = (Math.Max(current, units), now);
    }

    public void Consumed(string pool, ulong units)
    {
        if (!_byPool.TryGetValue(pool, out var demand))
        {
            return;
        }
        if (demand.Units <= units)
        {
            _byPool.Remove(pool);
        }
        else
        {
            _byPool[pool] = (demand.Units - units, demand.NotedAt);
        }
    }

    public void Expire(long now, long lifetime)
    {
        List<string>? stale = null;
        foreach (var (pool, demand) in _byPool)
        {
            if (now - demand.NotedAt >= lifetime)
            {
                (stale ??= []).Add(pool);
            }
        }
        stale?.ForEach(pool => _byPool.Remove(pool));
    }
}
