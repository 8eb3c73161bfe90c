using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Federation.Protocol.Json;

/// <summary>
/// Matrix canonical JSON (spec appendix "Canonical JSON"): object keys sorted by code point, no insignificant
/// whitespace, UTF-8 emitted raw, only <c>"</c>, <c>\</c> and C0 controls escaped (short forms where JSON has them,
/// else <c>\u00xx</c> in lower-case hex), integers in shortest form.
/// </summary>
/// <remarks>
/// Values are written straight from a parsed <see cref="JsonDocument"/> using its raw UTF-8 tokens, so an unescaped
/// string or an integer is copied as it was received and nothing goes through <see cref="double"/>.
/// Room versions 1–5 tolerate non-canonical numbers (floats, integers beyond 2^53); those are written as received.
/// </remarks>
public static class CanonicalJson
{
    /// <summary>The deepest nesting accepted; deeper input is refused before it can exhaust the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>The largest integer the strict mode (room versions 6+) accepts, 2^53 − 1; its negation is the smallest.</summary>
    public const long MaxSafeInteger = 9007199254740991;

    private static readonly JsonDocumentOptions Options = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = MaxDepth,
    };

    /// <summary>
    /// Parses UTF-8 JSON, refusing duplicate keys, nesting deeper than <see cref="MaxDepth"/>, unpaired surrogates and,
    /// when <paramref name="strict"/>, any number that is not an integer within ±(2^53−1).
    /// </summary>
    /// <exception cref="CanonicalJsonException">The input is not acceptable; the message says where and why.</exception>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, bool strict)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, Options);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Duplicate-key detection unescapes names and reports a bad surrogate escape as InvalidOperationException.
            throw new CanonicalJsonException($"Invalid JSON: {e.Message}", e);
        }

        try
        {
            Validate(document.RootElement, strict);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>Parses a string of JSON; see <see cref="Parse(ReadOnlyMemory{byte}, bool)"/>.</summary>
    public static JsonDocument Parse(string json, bool strict) => Parse(Encoding.UTF8.GetBytes(json), strict);

    /// <summary>
    /// Checks that <paramref name="value"/> can be written canonically: no unpaired surrogates and, when
    /// <paramref name="strict"/>, only integers within ±(2^53−1).
    /// </summary>
    /// <exception cref="CanonicalJsonException">The value cannot be; the message names the offending path.</exception>
    public static void Validate(JsonElement value, bool strict) => Validate(value, strict, "$", 0);

    /// <summary>The canonical encoding of <paramref name="value"/>.</summary>
    public static byte[] Encode(JsonElement value)
    {
        using var buffer = new PooledBufferWriter();
        Write(value, buffer);
        return buffer.ToArray();
    }

    /// <summary>The canonical encoding of <paramref name="value"/> as a string.</summary>
    public static string EncodeToString(JsonElement value)
    {
        using var buffer = new PooledBufferWriter();
        Write(value, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the canonical encoding of <paramref name="value"/>.</summary>
    public static void Write(JsonElement value, PooledBufferWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteValue(value, output, 0);
    }

    /// <summary>
    /// Writes the canonical encoding of the object <paramref name="value"/> without its top-level keys
    /// <paramref name="excludedKeys"/> (for example <c>signatures</c> and <c>unsigned</c> when signing).
    /// </summary>
    public static void WriteObjectWithout(JsonElement value, PooledBufferWriter output, params ReadOnlySpan<string> excludedKeys)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CanonicalJsonException($"Expected a JSON object, found {value.ValueKind}");
        }

        using var properties = SortedProperties.Of(value);
        output.Write((byte)'{');
        var first = true;
        foreach (var property in properties.Items)
        {
            if (IsExcluded(property.Name, excludedKeys))
            {
                continue;
            }

            if (!first)
            {
                output.Write((byte)',');
            }

            first = false;
            WriteString(property.Name, output);
            output.Write((byte)':');
            WriteValue(property.Property.Value, output, 1);
        }

        output.Write((byte)'}');
    }

    /// <summary>Writes a property name or string value canonically.</summary>
    public static void WriteString(ReadOnlySpan<byte> unescapedUtf8, PooledBufferWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write((byte)'"');
        var start = 0;
        for (var i = 0; i < unescapedUtf8.Length; i++)
        {
            var b = unescapedUtf8[i];
            if (b >= 0x20 && b != (byte)'"' && b != (byte)'\\')
            {
                continue;
            }

            output.Write(unescapedUtf8[start..i]);
            WriteEscape(b, output);
            start = i + 1;
        }

        output.Write(unescapedUtf8[start..]);
        output.Write((byte)'"');
    }

    /// <summary>Writes a .NET string canonically.</summary>
    public static void WriteString(string value, PooledBufferWriter output)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            var length = Utf8Encoding.GetBytes(value, bytes);
            WriteString(bytes.AsSpan(0, length), output);
        }
        catch (EncoderFallbackException e)
        {
            throw new CanonicalJsonException("String contains an unpaired UTF-16 surrogate", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static readonly UTF8Encoding Utf8Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void WriteEscape(byte b, PooledBufferWriter output)
    {
        switch (b)
        {
            case (byte)'"': output.Write("\\\""u8); break;
            case (byte)'\\': output.Write("\\\\"u8); break;
            case (byte)'\b': output.Write("\\b"u8); break;
            case (byte)'\t': output.Write("\\t"u8); break;
            case (byte)'\n': output.Write("\\n"u8); break;
            case (byte)'\f': output.Write("\\f"u8); break;
            case (byte)'\r': output.Write("\\r"u8); break;
            default:
                output.Write("\\u00"u8);
                output.Write(HexDigits[b >> 4]);
                output.Write(HexDigits[b & 0xF]);
                break;
        }
    }

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    private static bool IsExcluded(ReadOnlySpan<byte> name, ReadOnlySpan<string> excludedKeys)
    {
        foreach (var key in excludedKeys)
        {
            if (Ascii.Equals(name, key))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteValue(JsonElement value, PooledBufferWriter output, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(value, output, depth);
                break;
            case JsonValueKind.Array:
                WriteArray(value, output, depth);
                break;
            case JsonValueKind.String:
                WriteStringValue(value, output);
                break;
            case JsonValueKind.Number:
                WriteNumber(value, output);
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw new CanonicalJsonException($"Unexpected JSON value kind {value.ValueKind}");
        }
    }

    private static void WriteObject(JsonElement value, PooledBufferWriter output, int depth)
    {
        EnsureDepth(depth);
        using var properties = SortedProperties.Of(value);
        output.Write((byte)'{');
        var items = properties.Items;
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                output.Write((byte)',');
            }

            WriteString(items[i].Name, output);
            output.Write((byte)':');
            WriteValue(items[i].Property.Value, output, depth + 1);
        }

        output.Write((byte)'}');
    }

    private static void WriteArray(JsonElement value, PooledBufferWriter output, int depth)
    {
        EnsureDepth(depth);
        output.Write((byte)'[');
        var first = true;
        foreach (var item in value.EnumerateArray())
        {
            if (!first)
            {
                output.Write((byte)',');
            }

            first = false;
            WriteValue(item, output, depth + 1);
        }

        output.Write((byte)']');
    }

    private static void WriteStringValue(JsonElement value, PooledBufferWriter output)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var inner = raw[1..^1];
        if (inner.IndexOf((byte)'\\') < 0)
        {
            // Valid JSON cannot hold a raw control character, quote or backslash in an unescaped string,
            // so the received bytes are already canonical.
            output.Write(raw);
            return;
        }

        WriteString(Unescape(value), output);
    }

    private static byte[] Unescape(JsonElement value)
    {
        try
        {
            return Utf8Encoding.GetBytes(value.GetString()!);
        }
        catch (Exception e) when (e is EncoderFallbackException or InvalidOperationException)
        {
            throw new CanonicalJsonException("String contains an unpaired UTF-16 surrogate escape", e);
        }
    }

    private static void WriteNumber(JsonElement value, PooledBufferWriter output)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
        {
            // JSON's grammar already forbids leading zeros and '+', so an integer token is in its shortest form
            // except for negative zero.
            if (raw.SequenceEqual("-0"u8))
            {
                output.Write((byte)'0');
            }
            else
            {
                output.Write(raw);
            }

            return;
        }

        // A fraction or exponent only gets here in room versions before strict canonical JSON. An integral value
        // within range is written as the integer it is (the spec's example turns 1e10 into 10000000000); anything
        // else is kept as sent, since no canonical form exists for it.
        if (value.TryGetDecimal(out var number) && number == decimal.Truncate(number)
            && number <= MaxSafeInteger && number >= -MaxSafeInteger)
        {
            Span<byte> digits = stackalloc byte[24];
            Utf8Formatter.TryFormat((long)number, digits, out var written);
            output.Write(digits[..written]);
            return;
        }

        output.Write(raw);
    }

    private static void EnsureDepth(int depth)
    {
        if (depth >= MaxDepth)
        {
            throw new CanonicalJsonException($"JSON is nested deeper than {MaxDepth} levels");
        }
    }

    private static void Validate(JsonElement value, bool strict, string path, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                EnsureDepth(depth);
                foreach (var property in value.EnumerateObject())
                {
                    var rawName = JsonMarshal.GetRawUtf8PropertyName(property);
                    EnsureUtf8(rawName, path);
                    if (rawName.IndexOf((byte)'\\') >= 0)
                    {
                        _ = UnescapedName(property);
                    }

                    Validate(property.Value, strict, path.Length < 200 ? $"{path}.{property.Name}" : path, depth + 1);
                }

                break;
            case JsonValueKind.Array:
                EnsureDepth(depth);
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Validate(item, strict, path.Length < 200 ? $"{path}[{index}]" : path, depth + 1);
                    index++;
                }

                break;
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(value);
                EnsureUtf8(raw, path);
                if (raw.IndexOf((byte)'\\') >= 0)
                {
                    try
                    {
                        _ = Unescape(value);
                    }
                    catch (CanonicalJsonException e)
                    {
                        throw new CanonicalJsonException($"{e.Message} at {path}", e);
                    }
                }

                break;
            case JsonValueKind.Number when strict:
                ValidateStrictNumber(JsonMarshal.GetRawUtf8Value(value), path);
                break;
            default:
                break;
        }
    }

    private static void EnsureUtf8(ReadOnlySpan<byte> raw, string path)
    {
        // The parser checks structure, not the encoding of string bytes, so invalid UTF-8 would be copied through.
        if (!System.Text.Unicode.Utf8.IsValid(raw))
        {
            throw new CanonicalJsonException($"Invalid UTF-8 in a string at {path}");
        }
    }

    private static void ValidateStrictNumber(ReadOnlySpan<byte> raw, string path)
    {
        if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
        {
            throw new CanonicalJsonException(
                $"Number {Encoding.ASCII.GetString(raw)} at {path} is not an integer; canonical JSON allows integers only");
        }

        if (!Utf8Parser.TryParse(raw, out long number, out var consumed) || consumed != raw.Length
            || number > MaxSafeInteger || number < -MaxSafeInteger)
        {
            throw new CanonicalJsonException(
                $"Integer {Encoding.ASCII.GetString(raw)} at {path} is outside the canonical JSON range ±(2^53−1)");
        }
    }

    internal static byte[] UnescapedName(JsonProperty property)
    {
        try
        {
            return Utf8Encoding.GetBytes(property.Name);
        }
        catch (Exception e) when (e is EncoderFallbackException or InvalidOperationException)
        {
            throw new CanonicalJsonException("Object key contains an unpaired UTF-16 surrogate escape", e);
        }
    }
}
