using Buildx.Core.Cache;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Cache;

/// <summary>buildx's toBuildkitPruneInfo: filters and the keep duration of a prune.</summary>
public class PruneFiltersTests
{
    [Fact]
    public void Translates_buildx_filters_into_one_buildkit_filter()
    {
        var (filter, keep) = PruneFilters.Translate(["id=abc", "type=regular", "description~=apt", "inuse!=true", "until=24h"]);

        Assert.Equal("id~=abc,type==regular,description~=apt,inuse!=true", filter);
        Assert.Equal(TimeSpan.FromHours(24), keep);
    }

    [Fact]
    public void Passes_buildkit_filters_on_and_accepts_unused_for()
    {
        var (filter, keep) = PruneFilters.Translate(["type==regular", "unused-for=1h30m"]);

        Assert.Equal("type==regular", filter);
        Assert.Equal(TimeSpan.FromMinutes(90), keep);
        Assert.Equal((null, null), PruneFilters.Translate([]));
    }

    [Theory]
    [InlineData("until=soon")]
    [InlineData("until=10d")]
    public void A_bad_duration_is_an_error(string filter) =>
        Assert.Equal(ErrorIds.InvalidPruneFilter, Assert.Throws<BuildxException>(() => PruneFilters.Translate([filter])).ErrorId);

    [Fact]
    public void Until_and_unused_for_together_conflict() =>
        Assert.Contains("conflicting", Assert.Throws<BuildxException>(() => PruneFilters.Translate(["until=1h", "unused-for=2h"])).Message, StringComparison.Ordinal);

    [Fact]
    public void The_request_carries_the_limits_in_buildkits_units()
    {
        var request = CachePrune.CreateRequest(new CachePruneOptions
        {
            Filters = ["type=regular"],
            All = true,
            KeepDuration = TimeSpan.FromSeconds(2),
            ReservedSpace = 10,
            MaxUsedSpace = 20,
            MinFreeSpace = 30,
        });

        Assert.Equal(["type==regular"], request.Filter);
        Assert.True(request.All);
        Assert.Equal(2_000_000_000, request.KeepDuration);
        Assert.Equal((10, 20, 30), (request.ReservedSpace, request.MaxUsedSpace, request.MinFreeSpace));
        Assert.Throws<BuildxException>(() => CachePrune.CreateRequest(new CachePruneOptions { Filters = ["until=1h"], KeepDuration = TimeSpan.FromHours(2) }));
    }
}
