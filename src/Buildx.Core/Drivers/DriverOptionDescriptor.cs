namespace Buildx.Core.Drivers;

/// <summary>
/// One option a driver accepts: its key (a key ending in <c>.</c>, such as <c>env.</c>, is a
/// prefix for a family of keys), the kind of value, the default, and what it does.
/// </summary>
public sealed record DriverOptionDescriptor(string Key, string ValueType, string? DefaultValue, string Description)
{
    /// <summary>True for a prefix such as <c>env.</c>: the option is <c>env.&lt;NAME&gt;</c>.</summary>
    public bool IsPrefix => Key.EndsWith('.');

    /// <summary>How the key reads in messages: <c>env.&lt;NAME&gt;</c> for a prefix.</summary>
    public string DisplayKey => IsPrefix ? Key + "<NAME>" : Key;
}
