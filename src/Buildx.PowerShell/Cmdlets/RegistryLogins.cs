using System.Collections;
using System.Management.Automation;
using System.Net;
using Buildx.Core.Errors;
using Buildx.Core.Registry;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>Turns <c>-Credential @{ 'registry:5000' = [PSCredential] }</c> into registry logins.</summary>
internal static class RegistryLogins
{
    public static Dictionary<string, RegistryCredential> From(Hashtable? table)
    {
        var logins = new Dictionary<string, RegistryCredential>(StringComparer.Ordinal);
        if (table is null)
        {
            return logins;
        }

        foreach (DictionaryEntry entry in table)
        {
            var registry = entry.Key.ToString();
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            if (string.IsNullOrWhiteSpace(registry) || value is not PSCredential credential)
            {
                throw new BuildxException(ErrorIds.InvalidCredential, BuildxErrorKind.InvalidArgument,
                    $"-Credential takes registry addresses with a PSCredential each, e.g. @{{ 'registry.example:5000' = (Get-Credential) }}; the entry '{registry}' has {(value is null ? "no value" : "a " + value.GetType().Name)}.",
                    registry);
            }

            logins[registry] = new RegistryCredential(credential.UserName, new NetworkCredential(string.Empty, credential.Password).Password);
        }

        return logins;
    }
}
