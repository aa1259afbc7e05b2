using System.Collections;
using Buildx.Core.Drivers;

namespace Buildx.PowerShell.Completers;

/// <summary>Completes the drivers builders can be created with, each with what it is.</summary>
public sealed class DriverNameCompleter : PrefixCompleter
{
    protected override IEnumerable<(string Value, string Tooltip)> Candidates(string parameterName, IDictionary? fakeBoundParameters) =>
        KnownDrivers.All.Where(driver => driver.AllowsInstances).Select(driver => (driver.Name, driver.Description));
}
