using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Errors;
using Buildx.Core.Platforms;
using Buildx.Core.Transport;
using Grpc.Core;
using Grpc.Net.Client;

namespace Buildx.Core.BuildKit;

/// <summary>
/// The BuildKit Control service over one gRPC channel. Drivers only supply the stream; everything
/// from here up is the same for every driver.
/// </summary>
public sealed class BuildkitClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly Control.ControlClient control;
    private readonly TransportFaultLog transportFaults = new();

    public BuildkitClient(StreamDialer dialer, string endpointDescription)
    {
        EndpointDescription = endpointDescription;
        channel = BuildkitChannelFactory.Create(dialer, transportFaults);
        control = new Control.ControlClient(channel);
    }

    /// <summary>Where the daemon is, for error messages.</summary>
    public string EndpointDescription { get; }

    internal Control.ControlClient Control => control;

    public async Task<IReadOnlyList<BuildkitWorker>> ListWorkersAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync("ListWorkers", () => control.ListWorkersAsync(new ListWorkersRequest(), cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        return response.Record.Select(record => new BuildkitWorker(
            record.ID,
            record.Platforms.Select(p => PlatformName.Format(p.OS, p.Architecture, p.Variant)).ToArray(),
            new Dictionary<string, string>(record.Labels, StringComparer.Ordinal))).ToArray();
    }

    /// <summary>The daemon's version, or null where <c>Info</c> is unimplemented (older daemons, the engine's BuildKit).</summary>
    public async Task<BuildkitVersionInfo?> GetVersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await control.InfoAsync(new InfoRequest(), cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
            var version = response.BuildkitVersion;
            return version is null ? null : new BuildkitVersionInfo(version.Package, version.Version, version.Revision);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            return null;
        }
        catch (RpcException ex)
        {
            throw Translate("Info", ex);
        }
    }

    internal async Task<IReadOnlyList<UsageRecord>> DiskUsageAsync(IEnumerable<string> filters, CancellationToken cancellationToken)
    {
        var request = new DiskUsageRequest();
        request.Filter.AddRange(filters);
        var response = await CallAsync("DiskUsage", () => control.DiskUsageAsync(request, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        return response.Record;
    }

    /// <summary>Runs <c>Prune</c>, yielding each record the daemon removes as it reports it.</summary>
    internal async IAsyncEnumerable<UsageRecord> PruneAsync(PruneRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = control.Prune(request, cancellationToken: cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                throw Translate("Prune", ex);
            }

            if (!more)
            {
                yield break;
            }

            yield return call.ResponseStream.Current;
        }
    }

    public void Dispose() => channel.Dispose();

    private async Task<T> CallAsync<T>(string method, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw Translate(method, ex);
        }
    }

    /// <summary>
    /// A dial failure surfaces as Unavailable with the dialer's error inside: give the user that
    /// error, which names the endpoint and what to check, instead of the gRPC wrapper.
    /// </summary>
    internal Exception Translate(string method, RpcException ex)
    {
        for (Exception? inner = ex.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is BuildxException buildx)
            {
                return buildx;
            }
        }

        if (ex.StatusCode is StatusCode.Internal or StatusCode.Unavailable && transportFaults.Last is { } fault)
        {
            // The connection failed with an explanation the handler did not pass on (see TransportFaultLog).
            return fault;
        }

        if (ex.StatusCode == StatusCode.Cancelled)
        {
            return new OperationCanceledException($"{method} was cancelled.", ex);
        }

        return ex.StatusCode == StatusCode.Unavailable
            ? new BuildxException(ErrorIds.BuildkitUnreachable, BuildxErrorKind.ConnectionError,
                $"BuildKit at {EndpointDescription} is not reachable ({method}: {ex.Status.Detail}).", EndpointDescription, ex)
            : new BuildxException(ErrorIds.BuildkitCallFailed, BuildxErrorKind.InvalidOperation,
                $"BuildKit at {EndpointDescription} failed {method}: {ex.Status.StatusCode}: {ex.Status.Detail}", EndpointDescription, ex);
    }
}
