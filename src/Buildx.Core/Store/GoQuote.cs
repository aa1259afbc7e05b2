using System.Globalization;
using System.Text;

namespace Buildx.Core.Store;

/// <summary>Go's <c>%q</c> (strconv.Quote) for the messages that buildx formats with it.</summary>
internal static class GoQuote
{
    public static string Quote(string? value)
    {
        var builder = new StringBuilder("\"");
        foreach (var rune in (value ?? string.Empty).EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\a':
                    builder.Append("\\a");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\v':
                    builder.Append("\\v");
                    break;
                default:
                    AppendOther(builder, rune);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static void AppendOther(StringBuilder builder, Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        var printable = rune.Value == ' ' || category is not (UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
        if (printable)
        {
            builder.Append(rune.ToString());
        }
        else if (rune.Value < 0x80)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
        }
        else if (rune.Value <= 0xFFFF)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
        }
        else
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
        }
    }
}
