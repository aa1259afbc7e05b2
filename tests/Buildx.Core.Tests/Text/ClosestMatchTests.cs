using Buildx.Core.Text;

namespace Buildx.Core.Tests.Text;

public class ClosestMatchTests
{
    [Theory]
    [InlineData("memory", "memory", 0)]
    [InlineData("memroy", "memory", 1)]
    [InlineData("memor", "memory", 1)]
    [InlineData("mmemory", "memory", 1)]
    [InlineData("nemory", "memory", 1)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_counts_edits_with_adjacent_swaps_as_one(string a, string b, int expected)
    {
        Assert.Equal(expected, ClosestMatch.Distance(a, b));
        Assert.Equal(expected, ClosestMatch.Distance(b, a));
    }

    [Fact]
    public void Picks_the_nearest_candidate_within_the_limit()
    {
        Assert.Equal("cpu-quota", ClosestMatch.Find("cpu-quote", ["cpu-period", "cpu-quota", "cpu-shares"]));
        Assert.Equal("image", ClosestMatch.Find("IMAGE", ["image", "network"]));
        Assert.Null(ClosestMatch.Find("kubeconfig", ["image", "network", "memory"]));
    }
}
