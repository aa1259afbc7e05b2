namespace Buildx.Core.Registry;

/// <summary>
/// A login for one registry. An empty <see cref="Username"/> with a <see cref="Secret"/> means
/// the secret is an identity token, as BuildKit's Auth service and the Docker CLI treat it.
/// </summary>
public sealed record RegistryCredential(string Username, string Secret)
{
    public bool IsIdentityToken => Username.Length == 0 && Secret.Length > 0;

    /// <summary>Never show the secret: this object reaches logs and error messages.</summary>
    public override string ToString() => IsIdentityToken ? "<identity token>" : $"{Username}:***";
}
