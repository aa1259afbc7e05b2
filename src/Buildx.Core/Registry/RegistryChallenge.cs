using System.Net.Http.Headers;

namespace Buildx.Core.Registry;

/// <summary>
/// A registry's <c>WWW-Authenticate</c> answer to an anonymous request: <c>Basic</c>, or
/// <c>Bearer</c> with the token server's realm, service and scope (the distribution token spec).
/// </summary>
internal sealed record RegistryChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.GetValueOrDefault("realm");

    public static RegistryChallenge? From(HttpResponseHeaders headers)
    {
        // Prefer Bearer when a registry offers both: it is what docker does.
        var challenges = headers.WwwAuthenticate.Select(Parse).ToList();
        return challenges.FirstOrDefault(c => c.IsBearer) ?? challenges.FirstOrDefault();
    }

    private static RegistryChallenge Parse(AuthenticationHeaderValue header) =>
        new(header.Scheme, ParseParameters(header.Parameter ?? string.Empty));

    /// <summary>Reads <c>key="value", key=value</c> pairs; quoted values may hold commas and escaped quotes.</summary>
    internal static Dictionary<string, string> ParseParameters(string text)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var key = text[i..equals].Trim();
            i = equals + 1;
            var value = new System.Text.StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i]);
                }

                i++;
            }
            else
            {
                for (; i < text.Length && text[i] != ','; i++)
                {
                    value.Append(text[i]);
                }
            }

            parameters[key] = value.ToString().Trim();
        }

        return parameters;
    }
}
