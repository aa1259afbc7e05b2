namespace Buildx.Core.Session.Http2.Hpack;

/// <summary>A name-value pair as the tables hold it.</summary>
internal readonly record struct HpackHeaderField(string Name, string Value)
{
    /// <summary>Per-entry overhead RFC 7541 section 4.1 adds to the octet lengths.</summary>
    public const int EntryOverhead = 32;

    /// <summary>The entry size: octet lengths (one char is one octet here) plus the overhead.</summary>
    public int Size => Name.Length + Value.Length + EntryOverhead;
}
