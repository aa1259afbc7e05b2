using Buildx.Core.Errors;

namespace Buildx.Core.Drivers;

/// <summary>
/// What the module knows about a driver before any node exists: whether <c>New-BuildxBuilder</c>
/// may create builders of it, whether this version can drive it, and the options it declares.
/// </summary>
public sealed class DriverDescriptor
{
    private readonly Action<IReadOnlyDictionary<string, string>>? validate;

    internal DriverDescriptor(
        string name,
        string description,
        bool allowsInstances,
        bool isImplemented,
        IReadOnlyList<DriverOptionDescriptor> options,
        Action<IReadOnlyDictionary<string, string>>? validate)
    {
        Name = name;
        Description = description;
        AllowsInstances = allowsInstances;
        IsImplemented = isImplemented;
        Options = options;
        this.validate = validate;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>False for <c>docker</c>: each Docker context has its one builder, and no more can be made.</summary>
    public bool AllowsInstances { get; }

    /// <summary>False for drivers that are known (so their stored builders are listed) but not driven yet.</summary>
    public bool IsImplemented { get; }

    public IReadOnlyList<DriverOptionDescriptor> Options { get; }

    /// <summary>
    /// The options as they are stored: keys spelled as the driver declares them (matched without
    /// regard to case, so <c>@{ Image = … }</c> is <c>image</c>), values as given. Every option is
    /// then checked, and the first bad one is a terminating error that names it.
    /// </summary>
    /// <exception cref="BuildxException"><see cref="ErrorIds.UnknownDriverOption"/>, <see cref="ErrorIds.InvalidDriverOption"/>
    /// or <see cref="ErrorIds.DriverNotSupported"/> for a driver not implemented yet.</exception>
    public IReadOnlyDictionary<string, string> Normalize(IEnumerable<KeyValuePair<string, string>> options) => Normalize(options, validate: true);

    /// <summary>
    /// As <see cref="Normalize(IEnumerable{KeyValuePair{string, string}})"/>; with <paramref name="validate"/> false the
    /// check is left to the caller, for options that are completed later (certificate files written with the change).
    /// </summary>
    public IReadOnlyDictionary<string, string> Normalize(IEnumerable<KeyValuePair<string, string>> options, bool validate)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureImplemented();
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in options)
        {
            // Later values win, as buildx merges repeated --driver-opt flags.
            result[CanonicalKey(key)] = value;
        }

        if (validate)
        {
            Validate(result);
        }

        return result;
    }

    /// <summary>Checks stored options (as <see cref="Normalize"/> left them).</summary>
    public void Validate(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureImplemented();
        validate?.Invoke(options);
    }

    public void EnsureImplemented()
    {
        if (!IsImplemented)
        {
            throw new BuildxException(
                ErrorIds.DriverNotSupported,
                BuildxErrorKind.NotImplemented,
                $"The {Name} driver is not implemented in this version of the module, so builders of it cannot be created or changed, and their options are not accepted unchecked. Implemented drivers: {string.Join(", ", KnownDrivers.All.Where(d => d.IsImplemented && d.AllowsInstances).Select(d => d.Name))}.",
                Name);
        }
    }

    public override string ToString() => Name;

    private string CanonicalKey(string key)
    {
        foreach (var option in Options)
        {
            if (option.IsPrefix)
            {
                if (key.StartsWith(option.Key, StringComparison.OrdinalIgnoreCase) && key.Length > option.Key.Length)
                {
                    // The prefix takes the declared spelling; the name after it keeps its case.
                    return option.Key + key[option.Key.Length..];
                }
            }
            else if (string.Equals(key, option.Key, StringComparison.OrdinalIgnoreCase))
            {
                return option.Key;
            }
        }

        return key;
    }
}
