using System.Globalization;

namespace Buildx.Core.Store;

/// <summary>
/// Random builder names the way <c>create</c> without <c>--name</c> makes them: docker's
/// <c>namesgenerator</c> scheme, <c>adjective_surname</c>, with one random digit appended on
/// retries. The word lists are data files (Store/Words) holding the same words docker uses.
/// </summary>
public static class RandomBuilderName
{
    private static readonly Lazy<string[]> Adjectives = new(() => LoadWords("adjectives.txt"));
    private static readonly Lazy<string[]> Surnames = new(() => LoadWords("surnames.txt"));

    internal static IReadOnlyList<string> AdjectiveWords => Adjectives.Value;

    internal static IReadOnlyList<string> SurnameWords => Surnames.Value;

    /// <summary>A name such as <c>focused_turing</c>, or <c>focused_turing7</c> when <paramref name="retry"/> &gt; 0.</summary>
    public static string Next(int retry, Random? random = null)
    {
        random ??= Random.Shared;
        string name;
        do
        {
            name = Adjectives.Value[random.Next(Adjectives.Value.Length)] + "_" + Surnames.Value[random.Next(Surnames.Value.Length)];
        }
        while (name == "boring_wozniak"); // docker's own exception: Steve Wozniak is not boring

        return retry > 0 ? name + random.Next(10).ToString(CultureInfo.InvariantCulture) : name;
    }

    private static string[] LoadWords(string fileName)
    {
        var resource = "Buildx.Core.Store.Words." + fileName;
        using var stream = typeof(RandomBuilderName).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded word list {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
