namespace Jarvis.Replication.Engine;

/// <summary>
/// The deltas a replica holds for peers that have not acknowledged them: a run of consecutive log sequences,
/// kept in a ring indexed by sequence, so the delta at any sequence is found in O(1) (a linked list had to be
/// scanned from its start for every peer every round). Deltas join at the newest end, in sequence order with
/// no gap (every applied change is buffered), and leave from the oldest end.
/// </summary>
/// <remarks>Not thread-safe: owned by one <see cref="ReplicaCore"/>.</remarks>
internal sealed class DeltaBuffer
{
    private const int InitialCapacity = 16;

    private BufferedDelta[] _ring = new BufferedDelta[InitialCapacity];
    private int _head;
    private int _count;
    private long _bytes;

    /// <summary>The number of deltas held.</summary>
    public int Count => _count;

    /// <summary>The bytes of every delta held.</summary>
    public long Bytes => _bytes;

    /// <summary>Whether nothing is held.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>The sequence of the oldest delta held.</summary>
    /// <exception cref="InvalidOperationException">The buffer is empty.</exception>
    public long FirstSequence => Oldest.Sequence;

    /// <summary>One past the sequence of the newest delta held (equal to <see cref="FirstSequence"/> plus <see cref="Count"/>).</summary>
    /// <exception cref="InvalidOperationException">The buffer is empty.</exception>
    public long EndSequence => FirstSequence + _count;

    /// <summary>The oldest delta held.</summary>
    /// <exception cref="InvalidOperationException">The buffer is empty.</exception>
    public BufferedDelta Oldest => _count > 0 ? _ring[_head] : throw new InvalidOperationException("The delta buffer is empty.");

    /// <summary>Whether a delta of this sequence is held.</summary>
    public bool Holds(long sequence) => _count > 0 && sequence >= _ring[_head].Sequence && sequence - _ring[_head].Sequence < _count;

    /// <summary>The delta of a sequence held here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No delta of that sequence is held.</exception>
    public BufferedDelta this[long sequence]
    {
        get
        {
            if (!Holds(sequence))
            {
                throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "No delta of this sequence is held.");
            }
            return _ring[(_head + (int)(sequence - _ring[_head].Sequence)) % _ring.Length];
        }
    }

    /// <summary>Holds a delta; its sequence must follow the newest held (any sequence when the buffer is empty).</summary>
    /// <exception cref="ArgumentException">The sequence does not follow the newest delta held.</exception>
    public void Add(BufferedDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (_count > 0 && delta.Sequence != EndSequence)
        {
            throw new ArgumentException($"Delta {delta.Sequence} does not follow the newest held, {EndSequence - 1}: the buffer holds consecutive sequences.", nameof(delta));
        }
        if (_count == _ring.Length)
        {
            Grow();
        }
        _ring[(_head + _count) % _ring.Length] = delta;
        _count++;
        _bytes += delta.Bytes.Length;
    }

    /// <summary>Releases the oldest delta.</summary>
    /// <exception cref="InvalidOperationException">The buffer is empty.</exception>
    public void RemoveOldest()
    {
        var oldest = Oldest;
        _ring[_head] = null!;
        _head = (_head + 1) % _ring.Length;
        _count--;
        _bytes -= oldest.Bytes.Length;
        if (_count == 0)
        {
            // A burst once grew the ring; an empty buffer gives that memory back.
            _head = 0;
            if (_ring.Length > InitialCapacity)
            {
                _ring = new BufferedDelta[InitialCapacity];
            }
        }
    }

    /// <summary>Releases every delta whose sequence is below <paramref name="sequence"/>.</summary>
    public void RemoveBelow(long sequence)
    {
        while (_count > 0 && _ring[_head].Sequence < sequence)
        {
            RemoveOldest();
        }
    }

    /// <summary>Checks the buffer's invariants: consecutive sequences from the oldest, and the byte count their sum.</summary>
    /// <exception cref="InvalidOperationException">An invariant does not hold (a bug).</exception>
    public void CheckInvariants()
    {
        long bytes = 0;
        for (var i = 0; i < _count; i++)
        {
            var delta = _ring[(_head + i) % _ring.Length];
            if (delta is null || delta.Sequence != _ring[_head].Sequence + i)
            {
                throw new InvalidOperationException($"The delta buffer's slot {i} does not hold sequence {_ring[_head].Sequence + i}.");
            }
            bytes += delta.Bytes.Length;
        }
        if (bytes != _bytes)
        {
            throw new InvalidOperationException($"The delta buffer counts {_bytes} bytes but holds {bytes}.");
        }
    }

    private void Grow()
    {
        var larger = new BufferedDelta[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = _ring[(_head + i) % _ring.Length];
        }
        _ring = larger;
        _head = 0;
    }
}
