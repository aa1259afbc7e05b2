namespace Buildx.Core.Session.Http2.Hpack;

/// <summary>
/// The dynamic table of RFC 7541 section 2.3.2: newest entry first, evicted from the oldest end
/// when the size would exceed the maximum. A ring buffer, so eviction moves nothing.
/// </summary>
internal sealed class HpackDynamicTable
{
    private HpackHeaderField[] ring = new HpackHeaderField[16];
    private int newest = -1;

    public HpackDynamicTable(int maxSize)
    {
        MaxSize = maxSize;
    }

    public int Count { get; private set; }

    /// <summary>The sum of entry sizes.</summary>
    public int Size { get; private set; }

    public int MaxSize { get; private set; }

    /// <summary>The entry at a 0-based position, 0 being the most recently added.</summary>
    public HpackHeaderField this[int position]
    {
        get
        {
            if ((uint)position >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(position));
            }

            var slot = newest - position;
            return ring[slot < 0 ? slot + ring.Length : slot];
        }
    }

    public void SetMaxSize(int maxSize)
    {
        MaxSize = maxSize;
        EvictUntilFits(0);
    }

    /// <summary>Adds an entry; one larger than the whole table empties it, which is not an error (section 4.4).</summary>
    public void Add(HpackHeaderField field)
    {
        var size = field.Size;
        if (size > MaxSize)
        {
            Clear();
            return;
        }

        EvictUntilFits(size);
        if (Count == ring.Length)
        {
            Grow();
        }

        newest = (newest + 1) % ring.Length;
        ring[newest] = field;
        Count++;
        Size += size;
    }

    /// <summary>The 0-based position of an exact match, of a name-only match, or -1.</summary>
    public int Find(string name, string value, out bool exact)
    {
        var nameMatch = -1;
        for (var position = 0; position < Count; position++)
        {
            var entry = this[position];
            if (!string.Equals(entry.Name, name, StringComparison.Ordinal))
            {
                continue;
            }

            if (string.Equals(entry.Value, value, StringComparison.Ordinal))
            {
                exact = true;
                return position;
            }

            if (nameMatch < 0)
            {
                nameMatch = position;
            }
        }

        exact = false;
        return nameMatch;
    }

    private void EvictUntilFits(int incoming)
    {
        while (Count > 0 && Size + incoming > MaxSize)
        {
            var oldestSlot = newest - (Count - 1);
            if (oldestSlot < 0)
            {
                oldestSlot += ring.Length;
            }

            Size -= ring[oldestSlot].Size;
            ring[oldestSlot] = default;
            Count--;
        }
    }

    private void Clear()
    {
        Array.Clear(ring);
        Count = 0;
        Size = 0;
        newest = -1;
    }

    private void Grow()
    {
        // Entries are at least 32 octets, so the ring is bounded by MaxSize / 32.
        var larger = new HpackHeaderField[ring.Length * 2];
        for (var position = 0; position < Count; position++)
        {
            larger[Count - 1 - position] = this[position];
        }

        ring = larger;
        newest = Count - 1;
    }
}
