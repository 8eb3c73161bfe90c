namespace Federation.Fuzz.Tests.Mutation;

/// <summary>
/// Finds the tokens of JSON text so that mutations can aim at keys and values instead of random bytes. Lenient: on text
/// that is no longer JSON (an earlier mutation broke it) it still finds whatever looks like a token.
/// </summary>
public static class JsonTokenScanner
{
    public static List<JsonToken> Scan(ReadOnlySpan<byte> json)
    {
        var tokens = new List<JsonToken>();
        var i = 0;
        while (i < json.Length)
        {
            var b = json[i];
            if (b == (byte)'"')
            {
                var end = StringEnd(json, i);
                var next = end;
                while (next < json.Length && json[next] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
                {
                    next++;
                }

                var kind = next < json.Length && json[next] == (byte)':' ? JsonTokenKind.Key : JsonTokenKind.StringValue;
                tokens.Add(new JsonToken(kind, i, end - i));
                i = end;
            }
            else if (b is (byte)'-' or (>= (byte)'0' and <= (byte)'9'))
            {
                var end = i + 1;
                while (end < json.Length && json[end] is (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-')
                {
                    end++;
                }

                tokens.Add(new JsonToken(JsonTokenKind.Number, i, end - i));
                i = end;
            }
            else if (b is (byte)'t' or (byte)'f' or (byte)'n')
            {
                var end = i + 1;
                while (end < json.Length && json[end] is >= (byte)'a' and <= (byte)'z')
                {
                    end++;
                }

                tokens.Add(new JsonToken(JsonTokenKind.Literal, i, end - i));
                i = end;
            }
            else
            {
                if (b is (byte)'{' or (byte)'[')
                {
                    tokens.Add(new JsonToken(JsonTokenKind.Open, i, 1));
                }

                i++;
            }
        }

        return tokens;
    }

    /// <summary>The index just after the closing quote of the string opening at <paramref name="start"/> (or the end).</summary>
    private static int StringEnd(ReadOnlySpan<byte> json, int start)
    {
        for (var i = start + 1; i < json.Length; i++)
        {
            if (json[i] == (byte)'\\')
            {
                i++;
            }
            else if (json[i] == (byte)'"')
            {
                return i + 1;
            }
        }

        return json.Length;
    }
}
