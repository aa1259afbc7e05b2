using System.Text;
using System.Text.Json;
using Buildx.Core.Registry;

namespace Buildx.Core.Docker;

/// <summary>
/// The Engine API's <c>X-Registry-Auth</c> header: URL-safe base64 (with padding, as Go's
/// base64.URLEncoding) of the JSON auth config <c>{username, password, serveraddress}</c>, or
/// <c>{identitytoken, serveraddress}</c> for a token.
/// </summary>
public static class RegistryAuthHeader
{
    public const string Name = "X-Registry-Auth";

    public static string Encode(RegistryCredential? credential, string serverAddress)
    {
        ArgumentNullException.ThrowIfNull(serverAddress);
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        if (credential is not null)
        {
            if (credential.IsIdentityToken)
            {
                config["identitytoken"] = credential.Secret;
            }
            else
            {
                config["username"] = credential.Username;
                config["password"] = credential.Secret;
            }
        }

        config["serveraddress"] = serverAddress;
        var json = JsonSerializer.SerializeToUtf8Bytes(config);
        return Convert.ToBase64String(json).Replace('+', '-').Replace('/', '_');
    }

    public static string Decode(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Encoding.UTF8.GetString(Convert.FromBase64String(header.Replace('-', '+').Replace('_', '/')));
    }
}
