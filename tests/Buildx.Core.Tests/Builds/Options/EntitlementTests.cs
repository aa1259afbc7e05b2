using Buildx.Core.Builds;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;
using Buildx.Core.Exports;

namespace Buildx.Core.Tests.Builds.Options;

public sealed class EntitlementTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Reads_buildx_entitlements_and_refuses_others_with_a_suggestion()
    {
        Assert.Equal(["network.host", "security.insecure", "buildx.local.delete"], Entitlement.Parse(["network.host,security.insecure", "buildx.local.delete", "network.host"]));

        var error = Assert.Throws<BuildxException>(() => Entitlement.Parse(["network.hots"]));

        Assert.Equal(ErrorIds.InvalidEntitlement, error.ErrorId);
        Assert.Contains("Did you mean 'network.host'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_daemon_is_asked_for_its_entitlements_only_once_each()
    {
        var dockerfile = directory.Write("Dockerfile", "FROM scratch\n");
        var options = new BuildOptions { Network = BuildNetworkMode.Host, Entitlements = ["network.host", "security.insecure", "buildx.local.delete"] };

        var solve = BuildRunner.CreateSolveRequest(new BuildRequest { ContextPath = directory.Path, Options = options }, dockerfile, "docker-container", []);

        Assert.Equal(["network.host", "security.insecure"], solve.Entitlements);
    }

    [Fact]
    public void Mode_delete_outside_the_current_directory_needs_buildx_local_delete()
    {
        var work = Path.Combine(directory.Path, "work");
        Directory.CreateDirectory(work);
        ExportSpec Delete(string dest) => new(ExportSpec.Local, dest, new Dictionary<string, string> { ["mode"] = "delete" });

        var outside = Assert.Throws<BuildxException>(() => Entitlement.CheckLocalDelete([Delete(Path.Combine(directory.Path, "elsewhere"))], [], work));
        var itself = Assert.Throws<BuildxException>(() => Entitlement.CheckLocalDelete([Delete(work)], [], work));
        Entitlement.CheckLocalDelete([Delete(Path.Combine(work, "out"))], [], work);
        Entitlement.CheckLocalDelete([Delete(Path.Combine(directory.Path, "elsewhere"))], ["buildx.local.delete"], work);
        Entitlement.CheckLocalDelete([new ExportSpec(ExportSpec.Local, "/", new Dictionary<string, string>())], [], work);

        Assert.Equal(ErrorIds.InvalidOutput, outside.ErrorId);
        Assert.Equal(BuildxErrorKind.PermissionDenied, outside.Kind);
        Assert.Contains("-Allow buildx.local.delete", outside.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorIds.InvalidOutput, itself.ErrorId);
    }
}
