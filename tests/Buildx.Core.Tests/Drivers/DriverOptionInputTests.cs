using System.Collections;
using System.Collections.Specialized;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Tests.Drivers;

/// <summary>Driver options as users give them: buildx CSV lines and typed dictionaries.</summary>
public class DriverOptionInputTests
{
    [Fact]
    public void Reads_buildx_csv_lines_in_order()
    {
        var pairs = DriverOptionInput.Parse(["image=x,memory=1g", "env.FOO=a=b", "image=y"]);

        Assert.Equal(
            [new("image", "x"), new("memory", "1g"), new("env.FOO", "a=b"), new("image", "y")],
            pairs);
    }

    [Fact]
    public void A_field_without_an_equals_sign_is_buildxs_error()
    {
        var error = Assert.Throws<BuildxException>(() => DriverOptionInput.ParseCsv("image=x,memory"));

        Assert.Equal(ErrorIds.InvalidDriverOption, error.ErrorId);
        Assert.StartsWith("invalid value \"memory\", expecting k=v", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_typed_dictionary_values_as_buildx_parses_them()
    {
        var options = new OrderedDictionary
        {
            ["default-load"] = true,
            ["memory"] = 1L << 30,
            ["cpu-shares"] = 512,
            ["ratio"] = 1.5,
            ["network"] = null,
            ["env"] = new Hashtable { ["FOO"] = "bar" },
        };

        var pairs = DriverOptionInput.Parse([options]);

        Assert.Equal(
            [new("default-load", "true"), new("memory", "1073741824"), new("cpu-shares", "512"), new("ratio", "1.5"), new("network", string.Empty), new("env.FOO", "bar")],
            pairs);
    }

    [Fact]
    public void Unwraps_host_wrappers_around_values()
    {
        var pairs = DriverOptionInput.Parse([new Wrapper(new Hashtable { ["image"] = new Wrapper("x") })], value => value is Wrapper w ? w.Inner : value);

        Assert.Equal([new KeyValuePair<string, string>("image", "x")], pairs);
    }

    [Fact]
    public void Refuses_lists_and_other_types()
    {
        Assert.Equal(ErrorIds.InvalidDriverOption, Assert.Throws<BuildxException>(() => DriverOptionInput.Parse([new Hashtable { ["image"] = new List<string> { "a", "b" } }])).ErrorId);
        Assert.Equal(ErrorIds.InvalidDriverOption, Assert.Throws<BuildxException>(() => DriverOptionInput.Parse([42])).ErrorId);
    }

    private sealed record Wrapper(object Inner);
}
