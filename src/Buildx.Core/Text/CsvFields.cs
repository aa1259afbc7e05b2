using System.Text;

namespace Buildx.Core.Text;

/// <summary>
/// One CSV record split into fields, as buildx reads <c>--driver-opt</c> and <c>--output</c>
/// values (go-csvvalue, Go's encoding/csv rules): commas separate fields; a field that starts with
/// <c>"</c> is quoted, <c>""</c> inside it is a quote, and commas inside it are kept.
/// </summary>
public static class CsvFields
{
    public static IReadOnlyList<string> Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"extraneous or missing \" in quoted-field: {line}");
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }

                if (i < line.Length && line[i] != ',')
                {
                    throw new FormatException($"extraneous or missing \" in quoted-field: {line}");
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"')
                    {
                        throw new FormatException($"bare \" in non-quoted-field: {line}");
                    }

                    field.Append(line[i++]);
                }
            }

            fields.Add(field.ToString());
            if (i >= line.Length)
            {
                return fields;
            }

            i++; // the comma
        }
    }
}
