using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Federation.Fuzz.Tests.Properties;

/// <summary>
/// An independent, deliberately naive canonical JSON encoder written from the spec text, used as the oracle for the
/// optimised one: keys sorted by code point (UTF-8 byte order), only <c>"</c>, <c>\</c> and C0 controls escaped
/// (short forms where JSON has them), integers as plain digits. Only for strict-mode values (integers only).
/// </summary>
public static class ReferenceCanonicalJson
{
    public static string Encode(JsonElement value)
    {
        var text = new StringBuilder();
        Write(value, text);
        return text.ToString();
    }

    private static void Write(JsonElement value, StringBuilder text)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                var members = value.EnumerateObject().OrderBy(p => Encoding.UTF8.GetBytes(p.Name), ByteOrder.Instance).ToList();
                for (var i = 0; i < members.Count; i++)
                {
                    text.Append(i > 0 ? "," : "");
                    WriteString(members[i].Name, text);
                    text.Append(':');
                    Write(members[i].Value, text);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    text.Append(first ? "" : ",");
                    first = false;
                    Write(item, text);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(value.GetString()!, text);
                break;
            case JsonValueKind.Number:
                text.Append(value.GetInt64().ToString(CultureInfo.InvariantCulture));
                break;
            default:
                text.Append(value.GetRawText());
                break;
        }
    }

    private static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        text.Append('"');
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
