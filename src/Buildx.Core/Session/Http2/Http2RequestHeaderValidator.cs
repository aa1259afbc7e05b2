namespace Buildx.Core.Session.Http2;

/// <summary>
/// The field rules of RFC 9113 section 8.2 and 8.3 for requests and their trailers. A violation makes
/// the request malformed, which is a stream error of type PROTOCOL_ERROR.
/// </summary>
internal static class Http2RequestHeaderValidator
{
    /// <summary>Returns why the request header list is malformed, or null.</summary>
    public static string? ValidateRequest(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        string? method = null;
        string? scheme = null;
        string? path = null;
        string? authority = null;
        var regularSeen = false;
        foreach (var (name, value) in fields)
        {
            if (name.StartsWith(':'))
            {
                if (regularSeen)
                {
                    return $"pseudo-header {name} after a regular field";
                }

                switch (name)
                {
                    case ":method" when method is null:
                        method = value;
                        break;
                    case ":scheme" when scheme is null:
                        scheme = value;
                        break;
                    case ":path" when path is null:
                        path = value;
                        break;
                    case ":authority" when authority is null:
                        authority = value;
                        break;
                    case ":method" or ":scheme" or ":path" or ":authority":
                        return $"pseudo-header {name} repeated";
                    default:
                        return $"pseudo-header {name} is not allowed in a request";
                }

                if (CheckValue(name, value) is { } valueError)
                {
                    return valueError;
                }

                continue;
            }

            regularSeen = true;
            if (CheckRegularField(name, value) is { } error)
            {
                return error;
            }
        }

        if (method is null)
        {
            return "the :method pseudo-header is missing";
        }

        if (method == "CONNECT")
        {
            return authority is null || scheme is not null || path is not null ? "a CONNECT request needs :authority and only that" : null;
        }

        if (scheme is null || string.IsNullOrEmpty(path))
        {
            return "the :scheme or :path pseudo-header is missing or empty";
        }

        return null;
    }

    /// <summary>Returns why a trailer list is malformed, or null.</summary>
    public static string? ValidateTrailers(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        foreach (var (name, value) in fields)
        {
            if (name.StartsWith(':'))
            {
                return $"pseudo-header {name} in trailers";
            }

            if (CheckRegularField(name, value) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? CheckRegularField(string name, string value)
    {
        if (name.Length == 0)
        {
            return "an empty field name";
        }

        foreach (var c in name)
        {
            // Lower case only, no controls, space, DEL or non-ASCII (section 8.2.1); ':' only starts pseudo-headers.
            if (c <= 0x20 || c is >= 'A' and <= 'Z' || c >= 0x7f || c == ':')
            {
                return $"field name {Printable(name)} has an invalid character";
            }
        }

        switch (name)
        {
            case "connection" or "keep-alive" or "proxy-connection" or "transfer-encoding" or "upgrade":
                return $"connection-specific field {name}";
            case "te" when value != "trailers":
                return "te other than \"trailers\"";
        }

        return CheckValue(name, value);
    }

    private static string? CheckValue(string name, string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (value[0] is ' ' or '\t' || value[^1] is ' ' or '\t')
        {
            return $"the value of {Printable(name)} has leading or trailing whitespace";
        }

        return value.AsSpan().IndexOfAny('\0', '\r', '\n') >= 0 ? $"the value of {Printable(name)} contains NUL, CR or LF" : null;
    }

    private static string Printable(string name) =>
        string.Create(Math.Min(name.Length, 64), name, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = source[i] is > (char)0x20 and < (char)0x7f ? source[i] : '?';
            }
        });
}
