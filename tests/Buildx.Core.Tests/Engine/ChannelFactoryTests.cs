using Buildx.Core.BuildKit;
using Buildx.Core.Session;
using Buildx.Core.Transport;
using Buildx.TestRelay;

namespace Buildx.Core.Tests.Engine;

/// <summary>The gRPC channel over each kind of stream a driver can hand over, against real BuildKit.</summary>
public sealed class ChannelFactoryTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Reaches_BuildKit_over_a_tcp_endpoint()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context);

        var workers = await ListWorkersThrough(relay.Address);

        Assert.Equal("moby", Assert.Single(workers).Id);
    }

    [Fact]
    public async Task Reaches_BuildKit_over_a_unix_socket()
    {
        await using var relay = BuildkitRelay.StartUnix(EngineFixture.Context, Path.Combine(directory.Path, "buildkitd.sock"));

        var workers = await ListWorkersThrough(relay.Address);

        Assert.Contains("linux/amd64", Assert.Single(workers).Platforms);
    }

    [Fact]
    public async Task Reaches_BuildKit_over_any_duplex_stream()
    {
        await using var relay = BuildkitRelay.StartTcp(EngineFixture.Context);
        var endpoint = Endpoint.Parse(relay.Address);
        CountingStream? wrapper = null;

        // A dialer that hands over a wrapping stream: neither a socket nor an upgrade to the factory.
        using var client = new BuildkitClient(async token =>
        {
            wrapper = new CountingStream(await EndpointDialer.DialAsync(endpoint, TimeSpan.FromSeconds(5), token));
            return wrapper;
        }, "a wrapping stream");
        var workers = await client.ListWorkersAsync(CancellationToken.None);

        Assert.Equal("moby", Assert.Single(workers).Id);
        Assert.NotNull(wrapper);
        Assert.True(wrapper.BytesWritten > 24, "the HTTP/2 preface and the call went through the wrapper");
        Assert.True(wrapper.BytesRead > 0);
    }

    private static async Task<IReadOnlyList<BuildkitWorker>> ListWorkersThrough(string address)
    {
        var endpoint = Endpoint.Parse(address);
        using var client = new BuildkitClient(token => EndpointDialer.DialAsync(endpoint, TimeSpan.FromSeconds(5), token), address);
        return await client.ListWorkersAsync(CancellationToken.None);
    }
}
