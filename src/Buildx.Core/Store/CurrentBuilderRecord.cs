using System.Text.Json.Serialization;

namespace Buildx.Core.Store;

/// <summary>
/// The store's <c>current</c> file: which builder <c>use</c> selected, for which docker endpoint
/// (<see cref="Key"/>), and whether it applies to every endpoint (<see cref="Global"/>).
/// Written as <c>{"Key":…,"Name":…,"Global":…}</c>.
/// </summary>
[JsonConverter(typeof(CurrentBuilderRecordJsonConverter))]
public sealed record CurrentBuilderRecord(string Key, string Name, bool Global);
