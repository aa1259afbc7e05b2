using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Buildx.Core.Errors;

namespace Buildx.Core.Registry;

/// <summary>
/// The parts of the registry HTTP API (distribution spec v2) the module needs to assemble
/// multi-platform images: read and write manifests, check, mount and copy blobs. Answers
/// <c>Basic</c> and <c>Bearer</c> token challenges with the credentials of the lookup.
/// Loopback registries are reached over plain HTTP, as dockerd and BuildKit do; others over
/// HTTPS unless marked insecure.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient http;
    private readonly RegistryCredentialLookup? credentials;
    private readonly HashSet<string> insecureRegistries;
    private readonly Dictionary<string, AuthenticationHeaderValue> authorizations = new(StringComparer.Ordinal);

    public RegistryClient(RegistryCredentialLookup? credentials = null, IEnumerable<string>? insecureRegistries = null, HttpMessageHandler? handler = null)
    {
        http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromMinutes(5);
        this.credentials = credentials;
        this.insecureRegistries = new HashSet<string>(insecureRegistries ?? [], StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Reads the manifest or index that <paramref name="image"/>'s tag or digest names.</summary>
    public async Task<RegistryManifest> GetManifestAsync(ImageReference image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var response = await SendAsync(image, "pull", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url(image, $"manifests/{image.ManifestReference}"));
            foreach (var mediaType in ManifestMediaTypes.All)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
            }

            return request;
        }, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, image, "read the manifest of", cancellationToken).ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var digest = DigestOf(content);
        if (image.Digest is not null && image.Digest != digest)
        {
            throw new BuildxException(ErrorIds.RegistryCallFailed, BuildxErrorKind.ProtocolError,
                $"The registry {image.Domain} answered {image} with content whose digest is {digest}.", image.ToString());
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType ?? MediaTypeInside(content);
        return new RegistryManifest(mediaType, digest, content);
    }

    /// <summary>Stores a manifest under a tag or its digest; returns its digest.</summary>
    public async Task<string> PutManifestAsync(ImageReference repository, string reference, string mediaType, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(content);
        var target = repository.WithTag(null);
        using var response = await SendAsync(target, "pull,push", () => new HttpRequestMessage(HttpMethod.Put, Url(target, $"manifests/{reference}"))
        {
            Content = new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
        }, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, target.WithTag(reference.StartsWith("sha256:", StringComparison.Ordinal) ? null : reference), "write a manifest to", cancellationToken).ConfigureAwait(false);
        return DigestOf(content);
    }

    public async Task<bool> BlobExistsAsync(ImageReference repository, string digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        using var response = await SendAsync(repository, "pull", () => new HttpRequestMessage(HttpMethod.Head, Url(repository, $"blobs/{digest}")), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, repository, "check a blob of", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Makes a blob of <paramref name="source"/> available in <paramref name="target"/> (same
    /// registry): a cross-repository mount when the registry allows it, else a copy.
    /// </summary>
    public async Task CopyBlobAsync(ImageReference source, ImageReference target, string digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (await BlobExistsAsync(target, digest, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var mountUrl = Url(target, $"blobs/uploads/?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(source.Path)}");
        Uri? uploadLocation;
        using (var mount = await SendAsync(target, "pull,push", () => new HttpRequestMessage(HttpMethod.Post, mountUrl), cancellationToken, source).ConfigureAwait(false))
        {
            if (mount.StatusCode == HttpStatusCode.Created)
            {
                return;
            }

            await EnsureSuccessAsync(mount, target, "start a blob upload to", cancellationToken).ConfigureAwait(false);
            uploadLocation = ResolveLocation(target, mount.Headers.Location);
        }

        // The registry would not mount: read the blob and upload it in one piece.
        using var blob = await SendAsync(source, "pull", () => new HttpRequestMessage(HttpMethod.Get, Url(source, $"blobs/{digest}")), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(blob, source, "read a blob of", cancellationToken).ConfigureAwait(false);
        var bytes = await blob.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var separator = uploadLocation.Query.Length > 0 ? "&" : "?";
        using var put = await SendAsync(target, "pull,push", () => new HttpRequestMessage(HttpMethod.Put, new Uri(uploadLocation + separator + "digest=" + Uri.EscapeDataString(digest)))
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
        }, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(put, target, "upload a blob to", cancellationToken).ConfigureAwait(false);
    }

    public static string DigestOf(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    public void Dispose() => http.Dispose();

    private Uri Url(ImageReference repository, string rest) => new($"{SchemeFor(repository.ApiHost)}://{repository.ApiHost}/v2/{repository.Path}/{rest}");

    private static Uri ResolveLocation(ImageReference repository, Uri? location)
    {
        if (location is null)
        {
            throw new BuildxException(ErrorIds.RegistryCallFailed, BuildxErrorKind.ProtocolError,
                $"The registry {repository.Domain} started an upload without saying where to send it (no Location header).", repository.ToString());
        }

        return location;
    }

    private string SchemeFor(string host)
    {
        if (insecureRegistries.Contains(host))
        {
            return "http";
        }

        var name = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return name == "localhost" || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address)) ? "http" : "https";
    }

    /// <summary>Sends with the authorization won earlier for this host; on a challenge, wins one and sends again.</summary>
    private async Task<HttpResponseMessage> SendAsync(ImageReference repository, string actions, Func<HttpRequestMessage> create, CancellationToken cancellationToken, ImageReference? alsoPull = null)
    {
        var key = $"{repository.ApiHost}|{repository.Path}|{actions}|{alsoPull?.Path}";
        authorizations.TryGetValue(key, out var authorization);
        authorization ??= authorizations.GetValueOrDefault(repository.ApiHost);
        var response = await SendOnceAsync(create, authorization, repository, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenge = RegistryChallenge.From(response.Headers);
        if (challenge is null)
        {
            return response;
        }

        var credential = credentials is null ? null : await credentials(repository.Domain, cancellationToken).ConfigureAwait(false);
        AuthenticationHeaderValue? won;
        if (challenge.IsBasic)
        {
            if (credential is null)
            {
                return response;
            }

            won = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Secret}")));
            authorizations[repository.ApiHost] = won;
        }
        else if (challenge.IsBearer)
        {
            var scopes = new List<string> { $"repository:{repository.Path}:{actions}" };
            if (alsoPull is not null)
            {
                scopes.Add($"repository:{alsoPull.Path}:pull");
            }

            won = await FetchTokenAsync(challenge, scopes, credential, repository, cancellationToken).ConfigureAwait(false);
            authorizations[key] = won;
        }
        else
        {
            return response;
        }

        response.Dispose();
        return await SendOnceAsync(create, won, repository, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> create, AuthenticationHeaderValue? authorization, ImageReference repository, CancellationToken cancellationToken)
    {
        using var request = create();
        request.Headers.Authorization = authorization;
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException or IOException || ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            throw new BuildxException(ErrorIds.RegistryUnreachable, BuildxErrorKind.ConnectionError,
                $"The registry {repository.Domain} could not be reached at {request.RequestUri?.GetLeftPart(UriPartial.Authority)}: {ex.Message}", repository.Domain, ex);
        }
    }

    /// <summary>The token flow of the distribution spec: GET realm?service=&amp;scope= with the credential as Basic.</summary>
    private async Task<AuthenticationHeaderValue> FetchTokenAsync(RegistryChallenge challenge, IReadOnlyList<string> scopes, RegistryCredential? credential, ImageReference repository, CancellationToken cancellationToken)
    {
        if (challenge.Realm is not { Length: > 0 } realm || !Uri.TryCreate(realm, UriKind.Absolute, out _))
        {
            throw new BuildxException(ErrorIds.RegistryCallFailed, BuildxErrorKind.ProtocolError,
                $"The registry {repository.Domain} asked for a bearer token without a usable realm.", repository.Domain);
        }

        var query = new StringBuilder();
        var service = challenge.Parameters.GetValueOrDefault("service");
        if (service is not null)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service));
        }

        foreach (var scope in scopes)
        {
            query.Append(query.Length > 0 ? "&" : string.Empty).Append("scope=").Append(Uri.EscapeDataString(scope));
        }

        HttpRequestMessage request;
        if (credential is { IsIdentityToken: true })
        {
            // An identity token (what `docker login` keeps for some registries) is an OAuth2 refresh token.
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"),
                new("refresh_token", credential.Secret),
                new("client_id", "buildx-powershell"),
                new("service", service ?? string.Empty),
            };
            form.AddRange(scopes.Select(scope => new KeyValuePair<string, string>("scope", scope)));
            request = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Get, realm + (realm.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query);
            if (credential is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Secret}")));
            }
        }

        using var tokenRequest = request;
        using var response = await http.SendAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Unauthorized(repository, $"its token server {new Uri(realm).Host} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var token = document.RootElement.TryGetProperty("token", out var t) ? t.GetString()
            : document.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
        if (string.IsNullOrEmpty(token))
        {
            throw Unauthorized(repository, "its token server answered without a token");
        }

        return new AuthenticationHeaderValue("Bearer", token);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, ImageReference image, string action, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = await RegistryErrorMessage.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => Unauthorized(image, detail),
            HttpStatusCode.NotFound => new BuildxException(ErrorIds.RegistryObjectNotFound, BuildxErrorKind.ObjectNotFound,
                $"Could not {action} {image}: the registry has no such object ({detail}).", image.ToString()),
            _ => new BuildxException(ErrorIds.RegistryCallFailed, BuildxErrorKind.InvalidOperation,
                $"Could not {action} {image}: the registry answered {(int)response.StatusCode} {response.ReasonPhrase} ({detail}).", image.ToString()),
        };
    }

    private static BuildxException Unauthorized(ImageReference image, string detail) => new(
        ErrorIds.RegistryUnauthorized,
        BuildxErrorKind.PermissionDenied,
        $"The registry {image.Domain} refused access to {image.Repository}: {detail}. Log in with credentials in the Docker config (docker login) or give -Credential for {image.Domain}.",
        image.Domain);

    private static string MediaTypeInside(byte[] content)
    {
        using var document = JsonDocument.Parse(content);
        return document.RootElement.TryGetProperty("mediaType", out var mediaType) && mediaType.GetString() is { } value ? value : ManifestMediaTypes.OciManifest;
    }
}
