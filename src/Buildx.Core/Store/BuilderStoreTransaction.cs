using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Store;

/// <summary>
/// Reads and changes the store while holding its lock, as buildx's <c>store.Txn</c>. Dispose it
/// to release the lock; keep it short unless, like buildx, a whole command must be atomic.
/// One transaction is used by one thread at a time.
/// </summary>
public sealed class BuilderStoreTransaction : IDisposable
{
    private const string CurrentFileName = "current";

    private readonly BuilderStore _store;
    private StoreLock? _lock;

    internal BuilderStoreTransaction(BuilderStore store, StoreLock heldLock)
    {
        _store = store;
        _lock = heldLock;
    }

    public string Root => _store.Root;

    private string InstancesDirectory => Path.Combine(Root, StoreDirectories.Instances);

    private string DefaultsDirectory => Path.Combine(Root, StoreDirectories.Defaults);

    private string ActivityDirectory => Path.Combine(Root, StoreDirectories.Activity);

    /// <summary>
    /// Every stored builder, sorted by name. An entry whose file vanished (a dangling link) is
    /// deleted, as buildx's <c>Txn.List</c> does. Entries that are not builder files (a stray
    /// directory, or a name buildx could not have written) are skipped; buildx would fail on them.
    /// </summary>
    public IReadOnlyList<NodeGroup> List()
    {
        ThrowIfDisposed();
        var groups = new List<NodeGroup>();
        foreach (var path in Directory.EnumerateFileSystemEntries(InstancesDirectory))
        {
            var fileName = Path.GetFileName(path);
            if (!BuilderName.IsValid(fileName) || Directory.Exists(path))
            {
                continue;
            }

            try
            {
                // As buildx: the entry is read under its lower-cased name, and dropped if that is missing.
                groups.Add(Read(BuilderName.Validate(fileName)));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                BuildRefs.DeleteRecursively(path);
            }
        }

        return groups.OrderBy(g => g.Name, GoStringComparer.Instance).ToList();
    }

    /// <summary>The builder named so (case-insensitively), or null if there is none.</summary>
    /// <exception cref="BuildxException"><c>InvalidBuilderName</c> for a name buildx would refuse;
    /// <c>StoreCorrupt</c> if its file cannot be read as a builder.</exception>
    public NodeGroup? TryGet(string name)
    {
        ThrowIfDisposed();
        var fileName = BuilderName.Validate(name);
        try
        {
            return Read(fileName);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>As <see cref="TryGet"/>, but a missing builder is a <c>BuilderNotFound</c> error.</summary>
    public NodeGroup Get(string name) =>
        TryGet(name) ?? throw new BuildxException(
            ErrorIds.BuilderNotFound,
            BuildxErrorKind.ObjectNotFound,
            $"no builder {GoQuote.Quote(name)} found",
            name);

    public bool Exists(string name) => TryGet(name) is not null;

    /// <summary>
    /// Writes <c>instances/&lt;lower-cased name&gt;</c> atomically (mode 0600) in buildx's exact JSON,
    /// and stamps <c>activity/&lt;Name&gt;</c>, as buildx's <c>Txn.Save</c>.
    /// </summary>
    public void Save(NodeGroup group)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(group);
        var fileName = BuilderName.Validate(group.Name);
        UpdateLastActivity(group);
        AtomicFile.Write(Path.Combine(InstancesDirectory, fileName), StoreJson.Serialize(group));
    }

    /// <summary>
    /// Deletes a builder from the store: <c>instances/</c>, <c>activity/</c>, its build records under
    /// <c>refs/&lt;name&gt;/</c> (and bake groups left empty) as buildx's <c>Txn.Remove</c>; and also
    /// any <c>defaults/</c> entry naming it, which buildx leaves behind. A missing builder is no error.
    /// </summary>
    public void Remove(string name)
    {
        ThrowIfDisposed();
        var fileName = BuilderName.Validate(name);
        var storedName = TryReadQuietly(fileName)?.Name;

        BuildRefs.DeleteRecursively(Path.Combine(ActivityDirectory, fileName));
        if (storedName is not null && storedName != fileName && BuilderName.IsValid(storedName))
        {
            // buildx stamps activity under the name's own case but removes the lower-cased one.
            BuildRefs.DeleteRecursively(Path.Combine(ActivityDirectory, storedName));
        }

        BuildRefs.Open(Root).RemoveBuilder(fileName);
        RemoveDefaultsNaming(fileName);
        BuildRefs.DeleteRecursively(Path.Combine(InstancesDirectory, fileName));
    }

    /// <summary>
    /// Removes a node's build records (<c>refs/&lt;builder&gt;/&lt;node&gt;/</c>), as
    /// <c>create --leave</c> does after <see cref="NodeGroup.Leave"/>.
    /// </summary>
    public void RemoveNodeState(string builderName, string nodeName)
    {
        ThrowIfDisposed();
        BuilderName.Validate(builderName);
        BuilderName.Validate(nodeName);
        BuildRefs.Open(Root).RemoveBuilderNode(builderName, nodeName);
    }

    /// <summary>
    /// The builder selected for the docker endpoint <paramref name="key"/> (the current context's
    /// name, or its docker host for context <c>default</c>), as buildx's <c>Txn.Current</c>; null
    /// when the context's own builder applies. Like buildx it may rewrite <c>current</c>.
    /// </summary>
    public NodeGroup? Current(string key)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(key);
        var current = GetCurrentRecord();
        if (current is not null && current.Name.Length > 0)
        {
            if (current.Global && ReadIgnoringErrors(current.Name) is { } global)
            {
                return global;
            }

            if (current.Key == key)
            {
                return ReadIgnoringErrors(current.Name);
            }
        }

        string defaultName;
        try
        {
            defaultName = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(DefaultsDirectory, HashKey(key))));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            ResetIgnoringErrors(key);
            return null;
        }

        // As buildx: a default naming a missing builder still becomes the current selection.
        var group = ReadIgnoringErrors(defaultName);
        if (group is null)
        {
            ResetIgnoringErrors(key);
        }

        SetCurrent(key, defaultName, global: false, isDefault: true);
        return group;
    }

    /// <summary>The <c>current</c> file as stored, or null when there is none.</summary>
    public CurrentBuilderRecord? GetCurrentRecord()
    {
        ThrowIfDisposed();
        var path = Path.Combine(Root, CurrentFileName);
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return StoreJson.DeserializeCurrent(content, path);
    }

    /// <summary>
    /// What <c>docker buildx use</c> writes: <c>current</c> = {key, name, global}; with
    /// <paramref name="isDefault"/> also <c>defaults/&lt;hash(key)&gt;</c> = name, else that entry is removed.
    /// An empty name clears the selection (back to the context's builder).
    /// </summary>
    public void SetCurrent(string key, string name, bool global, bool isDefault)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(name);
        AtomicFile.Write(Path.Combine(Root, CurrentFileName), StoreJson.Serialize(new CurrentBuilderRecord(key, name, global)));

        var defaultsPath = Path.Combine(DefaultsDirectory, HashKey(key));
        if (isDefault)
        {
            AtomicFile.Write(defaultsPath, Encoding.UTF8.GetBytes(name));
        }
        else
        {
            TryDelete(defaultsPath);
        }
    }

    /// <summary>Stamps <c>activity/&lt;Name&gt;</c> with the time now (UTC, whole seconds), as every save and build does.</summary>
    public void UpdateLastActivity(NodeGroup group)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(group);
        BuilderName.Validate(group.Name);
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        var text = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        AtomicFile.Write(Path.Combine(ActivityDirectory, group.Name), Encoding.ASCII.GetBytes(text));
        group.LastActivity = now;
    }

    /// <summary>When the builder was last saved or used (<c>activity/&lt;name&gt;</c>), or null if never.</summary>
    public DateTimeOffset? GetLastActivity(string builderName)
    {
        ThrowIfDisposed();
        if (!BuilderName.IsValid(builderName))
        {
            return null;
        }

        var path = Path.Combine(ActivityDirectory, builderName);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (!DateTimeOffset.TryParseExact(
            text,
            ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFFFK"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.None,
            out var time))
        {
            throw new BuildxException(
                ErrorIds.StoreCorrupt,
                BuildxErrorKind.InvalidOperation,
                $"{path}: {GoQuote.Quote(text)} is not an RFC 3339 time",
                path);
        }

        return time.ToUniversalTime();
    }

    /// <summary>
    /// A random name no stored builder has, as <c>create</c> without <c>--name</c>: up to six tries,
    /// the later ones with a digit appended.
    /// </summary>
    public string GenerateName(Random? random = null)
    {
        ThrowIfDisposed();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var name = RandomBuilderName.Next(attempt, random);
            if (TryGet(name) is null)
            {
                return name;
            }
        }

        throw new BuildxException(
            ErrorIds.BuilderNameGenerationFailed,
            BuildxErrorKind.ResourceUnavailable,
            "failed to generate random name");
    }

    /// <summary>Releases the store lock.</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>The <c>defaults/</c> file name for an endpoint: the first 20 hex digits of its SHA-256.</summary>
    internal static string HashKey(string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..20].ToLowerInvariant();

    private NodeGroup Read(string fileName)
    {
        var path = Path.Combine(InstancesDirectory, fileName);
        var group = StoreJson.DeserializeNodeGroup(File.ReadAllBytes(path), path);
        group.LastActivity = GetLastActivity(group.Name);
        return group;
    }

    private NodeGroup? TryReadQuietly(string fileName)
    {
        try
        {
            return Read(fileName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BuildxException)
        {
            return null;
        }
    }

    // buildx's Current treats any failure to load the selected builder as "none selected".
    private NodeGroup? ReadIgnoringErrors(string name) =>
        BuilderName.IsValid(name) ? TryReadQuietly(BuilderName.Validate(name)) : null;

    // buildx ignores a failure to reset `current`.
    private void ResetIgnoringErrors(string key)
    {
        try
        {
            AtomicFile.Write(Path.Combine(Root, CurrentFileName), StoreJson.Serialize(new CurrentBuilderRecord(key, string.Empty, false)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void RemoveDefaultsNaming(string fileName)
    {
        foreach (var path in Directory.EnumerateFiles(DefaultsDirectory))
        {
            string named;
            try
            {
                named = Encoding.UTF8.GetString(File.ReadAllBytes(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (string.Equals(named, fileName, StringComparison.OrdinalIgnoreCase))
            {
                TryDelete(path);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_lock is null, this);
}
