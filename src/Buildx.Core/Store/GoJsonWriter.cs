using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Buildx.Core.Store;

/// <summary>
/// Writes compact JSON byte for byte as Go's <c>encoding/json.Marshal</c> does, so files we rewrite
/// are identical to the ones buildx writes. System.Text.Json's encoders escape differently
/// (non-ASCII, <c>+</c>, <c>'</c>, upper-case hex), hence this small writer.
/// </summary>
/// <remarks>
/// Go's rules (encode.go <c>appendString</c>, Go 1.22+ as buildx is built): <c>&lt; &gt; &amp;</c> become
/// <c>\u003c \u003e \u0026</c>; <c>\b \f \n \r \t " \\</c> get short escapes; other C0 controls
/// become <c>\u00XX</c> with lower-case hex; U+2028/U+2029 are escaped; invalid UTF-16 (a lone
/// surrogate) becomes <c>\ufffd</c>; every other character is written as raw UTF-8.
/// </remarks>
internal sealed class GoJsonWriter
{
    private const string HexDigits = "0123456789abcdef";

    private readonly ArrayBufferWriter<byte> _buffer = new();

    // One entry per open object/array: whether a value was already written in it.
    private readonly Stack<bool> _containers = new();
    private bool _afterPropertyName;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void BeginObject()
    {
        BeforeValue();
        WriteByte((byte)'{');
        _containers.Push(false);
    }

    public void EndObject()
    {
        _containers.Pop();
        WriteByte((byte)'}');
    }

    public void BeginArray()
    {
        BeforeValue();
        WriteByte((byte)'[');
        _containers.Push(false);
    }

    public void EndArray()
    {
        _containers.Pop();
        WriteByte((byte)']');
    }

    public void PropertyName(string name)
    {
        BeforeValue();
        WriteQuoted(name);
        WriteByte((byte)':');
        _afterPropertyName = true;
    }

    public void String(string? value)
    {
        BeforeValue();
        WriteQuoted(value ?? string.Empty);
    }

    public void Boolean(bool value)
    {
        BeforeValue();
        WriteAscii(value ? "true" : "false");
    }

    public void Null()
    {
        BeforeValue();
        WriteAscii("null");
    }

    /// <summary>A Go <c>[]byte</c>: standard base64 with padding.</summary>
    public void Base64(byte[] value)
    {
        BeforeValue();
        WriteAscii("\"" + Convert.ToBase64String(value) + "\"");
    }

    /// <summary>Re-emits a value we did not model (a newer buildx's field) in Go's compact form.</summary>
    public void Element(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                BeginObject();
                foreach (var property in element.EnumerateObject())
                {
                    PropertyName(property.Name);
                    Element(property.Value);
                }

                EndObject();
                break;
            case JsonValueKind.Array:
                BeginArray();
                foreach (var item in element.EnumerateArray())
                {
                    Element(item);
                }

                EndArray();
                break;
            case JsonValueKind.String:
                String(element.GetString());
                break;
            case JsonValueKind.Number:
                BeforeValue();
                WriteAscii(element.GetRawText());
                break;
            case JsonValueKind.True:
                Boolean(true);
                break;
            case JsonValueKind.False:
                Boolean(false);
                break;
            default:
                Null();
                break;
        }
    }

    private void BeforeValue()
    {
        if (_afterPropertyName)
        {
            _afterPropertyName = false;
            return;
        }

        if (_containers.Count == 0)
        {
            return;
        }

        if (_containers.Peek())
        {
            WriteByte((byte)',');
        }
        else
        {
            _containers.Pop();
            _containers.Push(true);
        }
    }

    private void WriteQuoted(string value)
    {
        WriteByte((byte)'"');
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x80)
            {
                WriteAsciiEscaped(c);
                continue;
            }

            if (c is '\u2028' or '\u2029')
            {
                WriteAscii(c == '\u2028' ? "\\u2028" : "\\u2029");
                continue;
            }

            Rune rune;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                rune = new Rune(c, value[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // Go writes \ufffd for bytes that are not valid UTF-8; a lone surrogate is our equivalent.
                WriteAscii("\\ufffd");
                continue;
            }
            else
            {
                rune = new Rune(c);
            }

            var length = rune.EncodeToUtf8(utf8);
            _buffer.Write(utf8[..length]);
        }

        WriteByte((byte)'"');
    }

    private void WriteAsciiEscaped(char c)
    {
        switch (c)
        {
            case '"':
                WriteAscii("\\\"");
                return;
            case '\\':
                WriteAscii("\\\\");
                return;
            case '\b':
                WriteAscii("\\b");
                return;
            case '\f':
                WriteAscii("\\f");
                return;
            case '\n':
                WriteAscii("\\n");
                return;
            case '\r':
                WriteAscii("\\r");
                return;
            case '\t':
                WriteAscii("\\t");
                return;
        }

        if (c < 0x20 || c is '<' or '>' or '&')
        {
            WriteAscii("\\u00");
            WriteByte((byte)HexDigits[c >> 4]);
            WriteByte((byte)HexDigits[c & 0xF]);
            return;
        }

        WriteByte((byte)c);
    }

    private void WriteAscii(string text)
    {
        var span = _buffer.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        _buffer.Advance(text.Length);
    }

    private void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }
}
