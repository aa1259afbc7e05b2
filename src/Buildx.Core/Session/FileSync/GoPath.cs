using System.Text;

namespace Buildx.Core.Session.FileSync;

/// <summary>
/// Go's <c>path</c> package rules for slash-separated paths. Pattern cleaning and symlink resolution must
/// produce the same strings as the Go client, or patterns would match different files.
/// </summary>
internal static class GoPath
{
    /// <summary>Go <c>path.Clean</c>: collapse slashes, drop <c>.</c>, resolve <c>..</c> lexically, no trailing slash.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var output = new StringBuilder(path.Length);
        var read = 0;
        // Output below this length is never removed by "..": the root slash or leading ".." elements.
        var floor = 0;
        if (rooted)
        {
            output.Append('/');
            read = 1;
            floor = 1;
        }

        while (read < path.Length)
        {
            if (path[read] == '/')
            {
                read++;
            }
            else if (path[read] == '.' && (read + 1 == path.Length || path[read + 1] == '/'))
            {
                read++;
            }
            else if (path[read] == '.' && path[read + 1] == '.' && (read + 2 == path.Length || path[read + 2] == '/'))
            {
                read += 2;
                if (output.Length > floor)
                {
                    output.Length--;
                    while (output.Length > floor && output[output.Length - 1] != '/')
                    {
                        output.Length--;
                    }

                    // Drop the separator left behind, unless it is the root itself.
                    if (output.Length > floor && output[output.Length - 1] == '/')
                    {
                        output.Length--;
                    }
                }
                else if (!rooted)
                {
                    if (output.Length > 0)
                    {
                        output.Append('/');
                    }

                    output.Append("..");
                    floor = output.Length;
                }
            }
            else
            {
                if ((rooted && output.Length != 1) || (!rooted && output.Length != 0))
                {
                    output.Append('/');
                }

                while (read < path.Length && path[read] != '/')
                {
                    output.Append(path[read++]);
                }
            }
        }

        return output.Length == 0 ? "." : output.ToString();
    }

    /// <summary>Go <c>path.Join</c> of two elements: empty elements are ignored, the result is cleaned.</summary>
    public static string Join(string first, string second)
    {
        if (first.Length == 0)
        {
            return second.Length == 0 ? string.Empty : Clean(second);
        }

        return second.Length == 0 ? Clean(first) : Clean(first + "/" + second);
    }

    /// <summary>Go <c>path.Dir</c>: everything before the last slash, cleaned (<c>"a"</c> gives <c>"."</c>).</summary>
    public static string Dir(string path)
    {
        var lastSlash = path.LastIndexOf('/');
        return Clean(path[..(lastSlash + 1)]);
    }

    /// <summary>Go <c>path.Base</c>: the last element, ignoring trailing slashes.</summary>
    public static string Base(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        path = path.TrimEnd('/');
        if (path.Length == 0)
        {
            return "/";
        }

        return path[(path.LastIndexOf('/') + 1)..];
    }

    public static bool IsAbsolute(string path) => path.StartsWith('/');
}
