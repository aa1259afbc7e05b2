namespace Buildx.Core.Text;

/// <summary>Go's <c>strconv.ParseBool</c>, which buildx and BuildKit use for every boolean option: exactly these spellings.</summary>
public static class GoBool
{
    public const string Accepted = "true or false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False)";

    public static bool TryParse(string? value, out bool result)
    {
        switch (value)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                result = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }

    /// <exception cref="FormatException">The value is none of Go's spellings.</exception>
    public static bool Parse(string value) => TryParse(value, out var result) ? result : throw new FormatException("not a boolean");
}
