namespace Buildx.KubeApiDouble;

/// <summary>Equality-based selectors (<c>a=b,c==d,e!=f</c>), as label and field selectors use them.</summary>
internal sealed class LabelSelector
{
    private readonly List<(string Key, string Value, bool Equal)> requirements = [];

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var notEqual = part.IndexOf("!=", StringComparison.Ordinal);
            if (notEqual > 0)
            {
                selector.requirements.Add((part[..notEqual], part[(notEqual + 2)..], false));
                continue;
            }

            var equal = part.IndexOf('=', StringComparison.Ordinal);
            if (equal <= 0)
            {
                throw ApiError.BadRequest($"unable to parse requirement: found '{part}', expected: '=', '!=', '=='");
            }

            var value = part[(equal + 1)..].TrimStart('=');
            selector.requirements.Add((part[..equal], value, true));
        }

        return selector;
    }

    public bool Matches(Func<string, string?> lookup) =>
        requirements.All(requirement => (lookup(requirement.Key) == requirement.Value) == requirement.Equal);
}
