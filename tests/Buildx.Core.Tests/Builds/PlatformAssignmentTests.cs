using Buildx.Core.Builds;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Builds;

public sealed class PlatformAssignmentTests
{
    private static readonly NodePlatforms Intel = new("intel", [], ["linux/amd64", "linux/386", "linux/arm64", "linux/riscv64"]);
    private static readonly NodePlatforms Graviton = new("graviton", ["linux/arm64"], ["linux/arm64", "linux/arm/v7"]);

    [Fact]
    public void Gives_each_platform_to_the_node_that_runs_it_natively()
    {
        var assignments = PlatformAssignment.Assign("multi", ["linux/amd64", "linux/arm64"], [Intel, Graviton]);

        Assert.Equal(2, assignments.Count);
        Assert.Equal(new NodeAssignment("intel", ["linux/amd64"], false), assignments[0], AssignmentComparer.Instance);
        Assert.Equal(new NodeAssignment("graviton", ["linux/arm64"], false), assignments[1], AssignmentComparer.Instance);
    }

    [Fact]
    public void Falls_back_to_a_node_that_emulates_and_says_so()
    {
        var assignments = PlatformAssignment.Assign("multi", ["linux/riscv64"], [Graviton, Intel]);

        var only = Assert.Single(assignments);
        Assert.Equal("intel", only.Node);
        Assert.True(only.Emulated);
    }

    [Fact]
    public void Puts_several_platforms_on_one_node_when_it_is_the_best_for_all()
    {
        var assignments = PlatformAssignment.Assign("one", ["linux/amd64", "linux/386"], [Intel]);

        var only = Assert.Single(assignments);
        Assert.Equal(["linux/amd64", "linux/386"], only.Platforms);
    }

    [Theory]
    [InlineData("arm64")]
    [InlineData("linux/arm64/v8")]
    [InlineData("linux/aarch64")]
    public void Normalizes_requested_platforms_as_containerd_does(string requested)
    {
        var only = Assert.Single(PlatformAssignment.Assign("multi", [requested], [Intel, Graviton]));

        Assert.Equal("graviton", only.Node);
        Assert.Equal(["linux/arm64"], only.Platforms);
    }

    [Fact]
    public void Declared_platforms_win_over_another_nodes_emulation()
    {
        var declaredOnly = new NodePlatforms("declared", ["linux/s390x"], []);

        var only = Assert.Single(PlatformAssignment.Assign("multi", ["linux/s390x"], [new NodePlatforms("emu", [], ["linux/amd64", "linux/s390x"]), declaredOnly]));

        Assert.Equal("declared", only.Node);
        Assert.False(only.Emulated);
    }

    [Fact]
    public void A_platform_no_node_can_build_names_it_and_what_the_builder_offers()
    {
        var error = Assert.Throws<BuildxException>(() => PlatformAssignment.Assign("multi", ["linux/amd64", "linux/ppc64le"], [Intel, Graviton]));

        Assert.Equal(ErrorIds.PlatformNotSupported, error.ErrorId);
        Assert.Equal(BuildxErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("linux/ppc64le", error.Message, StringComparison.Ordinal);
        Assert.Contains("graviton: linux/arm64, linux/arm/v7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nonsense_platforms_are_refused_by_the_parser()
    {
        var error = Assert.Throws<BuildxException>(() => PlatformAssignment.Assign("multi", ["linux/amd64/v2/extra/parts"], [Intel]));

        Assert.Equal(ErrorIds.InvalidPlatform, error.ErrorId);
    }

    private sealed class AssignmentComparer : IEqualityComparer<NodeAssignment>
    {
        public static readonly AssignmentComparer Instance = new();

        public bool Equals(NodeAssignment? x, NodeAssignment? y) =>
            x is not null && y is not null && x.Node == y.Node && x.Emulated == y.Emulated && x.Platforms.SequenceEqual(y.Platforms);

        public int GetHashCode(NodeAssignment obj) => obj.Node.GetHashCode(StringComparison.Ordinal);
    }
}
