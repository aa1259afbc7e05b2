using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Buildx.KubeApiDouble;

/// <summary>
/// The Kubernetes API double: Kestrel on loopback (plain HTTP, or HTTPS with a certificate) serving the REST paths the
/// kubernetes driver calls and the pod exec subresource over WebSocket.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ExecRelay relay;

    private KubeApiServer(WebApplication app, string engineSocketPath)
    {
        this.app = app;
        relay = new ExecRelay(engineSocketPath);
    }

    public ClusterState Cluster { get; } = new();

    /// <summary>The server address, such as <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>
    /// Starts on a free loopback port; exec reaches BuildKit through the engine socket given. With a
    /// certificate it serves HTTPS, as a real API server does (a pod's in-cluster configuration is HTTPS only).
    /// </summary>
    public static async Task<KubeApiServer> StartAsync(string engineSocketPath, int port = 0, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (certificate is null)
        {
            builder.WebHost.UseKestrelCore().UseUrls($"http://127.0.0.1:{port}");
        }
        else
        {
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate)));
        }

        var app = builder.Build();
        var server = new KubeApiServer(app, engineSocketPath);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    /// <summary>Writes a kubeconfig whose context <paramref name="contextName"/> points here with <paramref name="defaultNamespace"/>.</summary>
    public void WriteKubeconfig(string path, string contextName = "double", string defaultNamespace = "default")
    {
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {contextName}-cluster
              cluster:
                server: {Url}
            users:
            - name: {contextName}-user
              user:
                token: double-token
            contexts:
            - name: {contextName}
              context:
                cluster: {contextName}-cluster
                user: {contextName}-user
                namespace: {defaultNamespace}
            current-context: {contextName}

            """;
        File.WriteAllText(path, text);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            if (context.Request.Headers.Authorization != "Bearer double-token")
            {
                throw new ApiError(401, "Unauthorized", "Unauthorized");
            }

            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (ApiError error)
        {
            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, error.Code, error.ToStatus()).ConfigureAwait(false);
            }
        }
        catch (JsonException ex)
        {
            await WriteAsync(context, 400, ApiError.BadRequest($"json: {ex.Message}").ToStatus()).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            // A bug in the double, reported as the API server reports its own.
            await WriteAsync(context, 500, new ApiError(500, "InternalError", $"Internal error occurred: {ex}").ToStatus()).ConfigureAwait(false);
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        // /api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]] or /apis/{group}/{version}/namespaces/...
        var parts = context.Request.Path.Value!.Trim('/').Split('/');
        string group, version;
        int rest;
        if (parts is ["api", var coreVersion, ..])
        {
            (group, version, rest) = (string.Empty, coreVersion, 2);
        }
        else if (parts is ["apis", var apiGroup, var apiVersion, ..])
        {
            (group, version, rest) = (apiGroup, apiVersion, 3);
        }
        else if (parts is ["version"])
        {
            var serverVersion = Cluster.ServerVersion.Split('.');
            await WriteAsync(context, 200, new JsonObject
            {
                ["major"] = serverVersion[0],
                ["minor"] = serverVersion[1],
                ["gitVersion"] = $"v{Cluster.ServerVersion}.0-double",
                ["platform"] = "linux/amd64",
            }).ConfigureAwait(false);
            return;
        }
        else
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        if (parts.Length < rest + 3 || parts[rest] != "namespaces")
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        var ns = parts[rest + 1];
        var kind = ResourceKind.Find(group, version, parts[rest + 2])
            ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        var name = parts.Length > rest + 3 ? parts[rest + 3] : null;
        var subresource = parts.Length > rest + 4 ? parts[rest + 4] : null;
        var method = context.Request.Method;

        if (subresource is not null)
        {
            if (kind == ResourceKind.Pods && subresource == "exec")
            {
                await ExecAsync(context, ns, name!).ConfigureAwait(false);
                return;
            }

            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        var query = context.Request.Query;
        switch (method, name)
        {
            case ("GET", null):
                var items = Cluster.List(kind, ns, query["labelSelector"], query["fieldSelector"]);
                await WriteAsync(context, 200, new JsonObject
                {
                    ["kind"] = kind.Kind + "List",
                    ["apiVersion"] = kind.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
                    ["items"] = new JsonArray([.. items]),
                }).ConfigureAwait(false);
                break;
            case ("GET", not null):
                await WriteAsync(context, 200, Cluster.Get(kind, ns, name) ?? throw ApiError.NotFound(kind, name)).ConfigureAwait(false);
                break;
            case ("POST", null):
                await WriteAsync(context, 201, Cluster.Create(kind, ns, await ReadBodyAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case ("PUT", not null):
                await WriteAsync(context, 200, Cluster.Replace(kind, ns, name, await ReadBodyAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case ("DELETE", not null):
                await WriteAsync(context, 200, Cluster.Delete(kind, ns, name)).ConfigureAwait(false);
                break;
            default:
                throw new ApiError(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({method})");
        }
    }

    private async Task ExecAsync(HttpContext context, string ns, string podName)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ApiError.BadRequest("Upgrade request required");
        }

        var requested = context.WebSockets.WebSocketRequestedProtocols;
        var protocol = ExecRelay.SubProtocols.FirstOrDefault(requested.Contains)
            ?? throw ApiError.BadRequest($"unable to upgrade: no supported channel protocol among [{string.Join(", ", requested)}]");
        var command = context.Request.Query["command"].Select(c => c ?? string.Empty).ToArray();
        if (command.Length == 0)
        {
            throw ApiError.BadRequest("you must specify at least 1 command");
        }

        var container = context.Request.Query["container"].FirstOrDefault();
        var (pod, cancel) = Cluster.BeginExec(ns, podName, container)!.Value;
        var uid = (string)pod["metadata"]!["uid"]!;
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol).ConfigureAwait(false);
            await relay.RunAsync(socket, command, cancel.Token).ConfigureAwait(false);
        }
        finally
        {
            Cluster.EndExec(uid, cancel);
            cancel.Dispose();
        }
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpContext context)
    {
        var node = await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false);
        return node as JsonObject ?? throw ApiError.BadRequest("the body is not a JSON object");
    }

    private static async Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(JsonOptions), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>As the API server writes JSON: quotes and backticks in messages are not escaped.</summary>
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
