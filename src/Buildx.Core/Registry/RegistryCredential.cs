namespace Buildx.Core.Registry;

/// <summary>A user name and password (or identity token) for one registry.</summary>
public sealed record RegistryCredential(string Username, string Password)
{
    public override string ToString() => $"{Username} (password hidden)";
}

/// <summary>Finds the credential for a registry host (as written in image names), or null for anonymous access.</summary>
public delegate ValueTask<RegistryCredential?> RegistryCredentialLookup(string registry, CancellationToken cancellationToken);
