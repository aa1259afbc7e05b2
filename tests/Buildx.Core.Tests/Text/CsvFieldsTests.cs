using Buildx.Core.Text;

namespace Buildx.Core.Tests.Text;

/// <summary>One CSV record as go-csvvalue splits buildx's --driver-opt values.</summary>
public class CsvFieldsTests
{
    [Theory]
    [InlineData("image=x,memory=1g", new[] { "image=x", "memory=1g" })]
    [InlineData("\"nodeselector=a=b,c=d\",image=x", new[] { "nodeselector=a=b,c=d", "image=x" })]
    [InlineData("\"say \"\"hi\"\"\"", new[] { "say \"hi\"" })]
    [InlineData("a,,b", new[] { "a", "", "b" })]
    [InlineData("single", new[] { "single" })]
    public void Splits_fields(string line, string[] expected) => Assert.Equal(expected, CsvFields.Split(line));

    [Theory]
    [InlineData("a\"b")]
    [InlineData("\"open")]
    [InlineData("\"closed\"x")]
    public void Refuses_stray_quotes(string line) => Assert.Throws<FormatException>(() => CsvFields.Split(line));
}
