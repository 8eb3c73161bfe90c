using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Federation.StateResolution.Auth;

/// <summary>
/// Reads power-level values the way Synapse's <c>int(value)</c> does: integers as they are, floats truncated, strings
/// parsed (surrounding whitespace, a sign and single underscores between digits allowed), booleans as 0/1.
/// Rooms before version 10 allow such values; version 10 and later accept only JSON integers (see
/// <see cref="IsStrictInteger"/>).
/// </summary>
internal static class PythonInt
{
    public static bool TryRead(JsonElement value, out long result)
    {
        result = 0;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (value.TryGetInt64(out result))
                {
                    return true;
                }

                if (value.TryGetDouble(out var d) && !double.IsNaN(d) && !double.IsInfinity(d))
                {
                    var truncated = Math.Truncate(d);
                    result = truncated >= long.MaxValue ? long.MaxValue : truncated <= long.MinValue ? long.MinValue : (long)truncated;
                    return true;
                }

                return false;
            case JsonValueKind.True:
                result = 1;
                return true;
            case JsonValueKind.False:
                result = 0;
                return true;
            case JsonValueKind.String:
                return TryParse(value.GetString()!, out result);
            default:
                return false;
        }
    }

    /// <summary>Whether the value is a JSON integer (no fraction or exponent), as room version 10 demands.</summary>
    public static bool IsStrictInteger(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        return raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && value.TryGetInt64(out _);
    }

    internal static bool TryParse(string text, out long result)
    {
        result = 0;
        var span = text.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return false;
        }

        var negative = false;
        if (span[0] is '+' or '-')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span.IsEmpty || span[0] == '_' || span[^1] == '_')
        {
            return false;
        }

        Span<char> digits = stackalloc char[Math.Min(span.Length, 64)];
        var count = 0;
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '_')
            {
                if (span[i - 1] == '_')
                {
                    return false;
                }

                continue;
            }

            if (c is < '0' or > '9' || count == digits.Length)
            {
                return false;
            }

            digits[count++] = c;
        }

        if (!long.TryParse(digits[..count], NumberStyles.None, CultureInfo.InvariantCulture, out result))
        {
            result = long.MaxValue;
        }

        if (negative)
        {
            result = -result;
        }

        return true;
    }
}
