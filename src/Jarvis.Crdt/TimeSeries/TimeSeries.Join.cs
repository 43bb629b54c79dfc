namespace Jarvis.Crdt;

public sealed partial class TimeSeries
{
    private static readonly IReadOnlyDictionary<long, TimeSeriesAggregate> NoCells = new Dictionary<long, TimeSeriesAggregate>();

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Both states hold something but their window sizes differ.</exception>
    public bool Join(TimeSeries other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this) || other.IsBottom)
        {
            return false;
        }
        if (other._windowMs != _windowMs)
        {
            if (!IsBottom)
            {
                throw new ArgumentException($"Cannot join a series of {other._windowMs} ms windows into one of {_windowMs} ms windows.", nameof(other));
            }
            _windowMs = other._windowMs;
        }

        var boundsMoved = false;
        if (other._downsampledWindow > _downsampledWindow)
        {
            _downsampledWindow = other._downsampledWindow;
            boundsMoved = true;
        }
        if (other._retainedWindow > _retainedWindow)
        {
            _retainedWindow = other._retainedWindow;
            boundsMoved = true;
        }

        var changed = boundsMoved;
        var merged = boundsMoved ? new HashSet<TimeSeriesRun>(ReferenceEqualityComparer.Instance) : null;
        foreach (var incoming in other._runs)
        {
            var index = IndexOf(incoming.Replica);
            if (index < 0)
            {
                var copy = incoming.Clone();
                copy.Normalize(_downsampledWindow, _retainedWindow, _windowMs);
                _runs.Insert(~index, copy);
                changed = true;
                merged?.Add(copy);
            }
            else
            {
                changed |= MergeRun(_runs[index], incoming);
                merged?.Add(_runs[index]);
            }
        }
        if (merged is not null)
        {
            foreach (var run in _runs)
            {
                if (!merged.Contains(run))
                {
                    run.Normalize(_downsampledWindow, _retainedWindow, _windowMs);
                }
            }
        }
        return changed;
    }

    /// <summary>
    /// Merges another state's run of the same writer into <paramref name="run"/>: cells by inclusion (the
    /// one covering the longer sequence prefix wins, raw points it covers are dropped), raw points by a
    /// linear merge on sequence, then the canonical form is restored.
    /// </summary>
    private bool MergeRun(TimeSeriesRun run, TimeSeriesRun incoming)
    {
        var contiguousBefore = run.Contiguous;
        if (incoming.CellCount == 0 && incoming.Count > 0 && incoming.Sequences[0] > run.MaxSequence)
        {
            // In-order delivery (the replication steady state): append, keeping the cached window aggregates.
            run.EnsureCapacity(run.Count + incoming.Count);
            for (var i = 0; i < incoming.Count; i++)
            {
                run.AppendRaw(incoming.Sequences[i], incoming.Times[i], incoming.Values[i], _windowMs);
            }
            run.Contiguous = Math.Max(run.Contiguous, incoming.Contiguous);
            run.Normalize(_downsampledWindow, _retainedWindow, _windowMs);
            return true;
        }

        var changed = false;
        Dictionary<long, ulong>? adoptedCover = null;
        foreach (var (window, cell) in incoming.CellCount == 0 ? NoCells : incoming.Cells)
        {
            if (window < _retainedWindow)
            {
                continue;
            }
            var present = run.Cells.ContainsKey(window);
            if (!present || incoming.Contiguous > contiguousBefore)
            {
                run.Cells[window] = cell;
                (adoptedCover ??= [])[window] = incoming.Contiguous;
                changed |= !present;
            }
        }
        var filter = run.CellCount > 0 || _retainedWindow != long.MinValue;

        var total = run.Count + incoming.Count;
        var sequences = new ulong[total];
        var times = new long[total];
        var values = new double[total];
        int mine = 0, theirs = 0, count = 0, added = 0, dropped = 0;
        while (mine < run.Count || theirs < incoming.Count)
        {
            bool takeMine;
            if (theirs == incoming.Count)
            {
                takeMine = true;
            }
            else if (mine == run.Count)
            {
                takeMine = false;
            }
            else if (run.Sequences[mine] == incoming.Sequences[theirs])
            {
                theirs++;
                takeMine = true;
            }
            else
            {
                takeMine = run.Sequences[mine] < incoming.Sequences[theirs];
            }
            var (sequence, time, value) = takeMine
                ? (run.Sequences[mine], run.Times[mine], run.Values[mine++])
                : (incoming.Sequences[theirs], incoming.Times[theirs], incoming.Values[theirs++]);
            if (filter && IsCovered(run, adoptedCover, contiguousBefore, sequence, time))
            {
                dropped += takeMine ? 1 : 0;
                continue;
            }
            added += takeMine ? 0 : 1;
            sequences[count] = sequence;
            times[count] = time;
            values[count] = value;
            count++;
        }
        run.SetRaw(sequences, times, values, count);
        run.Contiguous = Math.Max(run.Contiguous, incoming.Contiguous);
        changed |= added > 0 || dropped > 0 || run.Contiguous != contiguousBefore;
        changed |= run.Normalize(_downsampledWindow, _retainedWindow, _windowMs);
        if (changed)
        {
            run.DropPartials();
        }
        return changed;
    }

    /// <summary>Whether the point is already accounted for: counted by the cell now held for its window, or retired.</summary>
    private bool IsCovered(TimeSeriesRun run, Dictionary<long, ulong>? adoptedCover, ulong ownCover, ulong sequence, long time)
    {
        var window = WindowOf(time, _windowMs);
        if (run.CellCount == 0 || !run.Cells.ContainsKey(window))
        {
            return window < _retainedWindow && sequence <= ownCover;
        }
        var cover = adoptedCover is not null && adoptedCover.TryGetValue(window, out var adopted) ? adopted : ownCover;
        return sequence <= cover;
    }
}
