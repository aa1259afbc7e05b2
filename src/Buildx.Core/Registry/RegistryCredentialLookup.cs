namespace Buildx.Core.Registry;

/// <summary>Finds the credential for a registry host (as written in image names), or null for anonymous access.</summary>
public delegate ValueTask<RegistryCredential?> RegistryCredentialLookup(string registry, CancellationToken cancellationToken);
