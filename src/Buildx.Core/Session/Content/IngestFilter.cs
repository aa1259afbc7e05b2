using System.Text.RegularExpressions;
using Buildx.Core.Session.Grpc;
using Grpc.Core;

namespace Buildx.Core.Session.Content;

/// <summary>
/// The part of containerd's filter syntax that ListStatuses needs: <c>ref==&lt;ref&gt;</c> and
/// <c>ref~=&lt;regexp&gt;</c>; several filters match when any matches, none matches everything.
/// </summary>
internal static class IngestFilter
{
    public static Func<string, bool> Parse(IReadOnlyCollection<string> filters)
    {
        if (filters.Count == 0)
        {
            return _ => true;
        }

        var tests = filters.Select(ParseOne).ToArray();
        return reference => tests.Any(test => test(reference));
    }

    private static Func<string, bool> ParseOne(string filter)
    {
        if (filter.StartsWith("ref==", StringComparison.Ordinal))
        {
            var wanted = Unquote(filter[5..]);
            return reference => reference == wanted;
        }

        if (filter.StartsWith("ref~=", StringComparison.Ordinal))
        {
            try
            {
                var pattern = new Regex(Unquote(filter[5..]), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                return pattern.IsMatch;
            }
            catch (ArgumentException ex)
            {
                throw new GrpcStatusException(StatusCode.InvalidArgument, $"filter \"{filter}\": {ex.Message}");
            }
        }

        throw new GrpcStatusException(StatusCode.InvalidArgument, $"filter \"{filter}\" is not supported: give ref==<ref> or ref~=<regexp>");
    }

    private static string Unquote(string value) => value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}
