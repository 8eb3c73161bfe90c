using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Fuzz.Tests.Harness;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>
/// Writes a JSON value the many ways a sender may: any whitespace, any member order, and each string character raw,
/// short-escaped or <c>\u</c>-escaped in either case (surrogate pairs as two escapes). Every spelling means the same
/// value, so all must encode to the same canonical bytes.
/// </summary>
public static class JsonTextFormatter
{
    public static byte[] Write(FuzzRandom random, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(random);
        var text = new StringBuilder();
        WriteValue(random, value, text);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void WriteValue(FuzzRandom random, JsonNode? value, StringBuilder text)
    {
        Space(random, text);
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var members = obj.ToList();
                if (random.NextBool())
                {
                    members.Reverse();
                }

                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }

                    Space(random, text);
                    WriteString(random, members[i].Key, text);
                    Space(random, text);
                    text.Append(':');
                    WriteValue(random, members[i].Value, text);
                }

                Space(random, text);
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }

                    WriteValue(random, array[i], text);
                }

                Space(random, text);
                text.Append(']');
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String:
                WriteString(random, scalar.GetValue<string>(), text);
                break;
            default:
                text.Append(value.ToJsonString());
                break;
        }

        Space(random, text);
    }

    private static void WriteString(FuzzRandom random, string value, StringBuilder text)
    {
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var style = random.Next(4);
            if (char.IsHighSurrogate(c) && i + 1 < value.Length)
            {
                // A pair is written whole, raw or as two escapes: half of each would be an unpaired surrogate.
                text.Append(style == 0 ? Escape(c, upper: false) + Escape(value[i + 1], upper: true) : value.Substring(i, 2));
                i++;
                continue;
            }

            if (c is '"' or '\\' || c < ' ')
            {
                var shortForm = c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\b' => "\\b",
                    '\f' => "\\f",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => null,
                };
                text.Append(shortForm is not null && style < 2 ? shortForm : Escape(c, upper: style == 3));
            }
            else if (c == '/' && style == 0)
            {
                text.Append("\\/");
            }
            else
            {
                text.Append(style == 0 ? Escape(c, upper: random.NextBool()) : c.ToString());
            }
        }

        text.Append('"');
    }

    private static string Escape(char c, bool upper) =>
        string.Format(CultureInfo.InvariantCulture, upper ? "\\u{0:X4}" : "\\u{0:x4}", (int)c);

    private static void Space(FuzzRandom random, StringBuilder text)
    {
        if (random.OneIn(4))
        {
            text.Append(random.Pick(new[] { " ", "\n", "\t", "\r\n  " }));
        }
    }
}
