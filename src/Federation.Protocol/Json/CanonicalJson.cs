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

    /// <summary>As <see cref="Options"/> but leaving duplicate keys to <see cref="IsValidObject"/>, which is cheaper.</summary>
    private static readonly JsonDocumentOptions FastPathOptions = new()
    {
        AllowDuplicateProperties = true,
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
        // Fast path: parse without the parser's duplicate-key check and run one allocation-free pass that checks
        // everything else and rules out duplicates cheaply. It only ever answers "certainly acceptable"; anything it is
        // unsure of (or any parse error) goes through the exact path below, which decides and words the error.
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(utf8, FastPathOptions);
            if (IsValid(document.RootElement, strict, 0, rejectDuplicates: true))
            {
                if (strict)
                {
                    LastStrictlyValid.Remember(document.RootElement);
                }

                return document;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON: the exact path parses again and reports the error as it always has.
        }

        document?.Dispose();
        return ParseExactly(utf8, strict);
    }

    private static JsonDocument ParseExactly(ReadOnlyMemory<byte> utf8, bool strict)
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
            Validate(document.RootElement, strict, "$", 0);
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
    public static void Validate(JsonElement value, bool strict) => Validate(value, strict, rejectDuplicates: false);

    /// <summary>
    /// As <see cref="Validate(JsonElement, bool)"/>, and with <paramref name="rejectDuplicates"/> also refusing an object
    /// that has a key twice: lenient readers let duplicates through, and no two servers need agree on their meaning.
    /// </summary>
    /// <exception cref="CanonicalJsonException">The value cannot be; the message says where and why.</exception>
    public static void Validate(JsonElement value, bool strict, bool rejectDuplicates)
    {
        // The common case, valid input, takes a pass that allocates nothing. Only when that pass is not sure does the
        // exact one, which builds the path of every value it visits, walk the input again to decide and say where.
        if (LastStrictlyValid.Matches(value) || IsValid(value, strict, 0, rejectDuplicates))
        {
            return;
        }

        if (!rejectDuplicates || !IsValid(value, strict, 0, rejectDuplicates: false))
        {
            Validate(value, strict, "$", 0);
        }

        if (rejectDuplicates)
        {
            // Everything else is fine: parsing the text again with the parser's duplicate check decides and words it.
            try
            {
                JsonDocument.Parse(JsonMarshal.GetRawUtf8Value(value).ToArray(), Options).Dispose();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new CanonicalJsonException($"Invalid JSON: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The text of the object this thread last parsed as valid in strict mode. Validity depends on nothing but the text
    /// (strict validity implies lenient), so a value with exactly that text needs no second walk: a PDU checked by
    /// <see cref="Parse(ReadOnlyMemory{byte}, bool)"/> and then by <c>Pdu.Parse</c> costs a byte comparison the second
    /// time. Texts are compared, not documents, so a reused buffer or another document cannot be mistaken for it.
    /// </summary>
    private static class LastStrictlyValid
    {
        /// <summary>Larger objects are not remembered; events are at most 64 KiB.</summary>
        private const int MaxLength = 65536;

        [ThreadStatic]
        private static byte[]? _text;

        [ThreadStatic]
        private static int _length;

        public static void Remember(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            var raw = JsonMarshal.GetRawUtf8Value(value);
            if (raw.Length > MaxLength)
            {
                return;
            }

            if (_text is null || _text.Length < raw.Length)
            {
                _text = new byte[Math.Max(raw.Length, 4096)];
            }

            raw.CopyTo(_text);
            _length = raw.Length;
        }

        public static bool Matches(JsonElement value) =>
            _text is not null && value.ValueKind == JsonValueKind.Object
            && JsonMarshal.GetRawUtf8Value(value).SequenceEqual(_text.AsSpan(0, _length));
    }

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
        foreach (var property in properties)
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
            WriteMember(property.Name, property.Value, output);
        }

        output.Write((byte)'}');
    }

    /// <summary>Writes <c>"name":value</c> for a member of a top-level object, counting depth as a nested value.</summary>
    internal static void WriteMember(ReadOnlySpan<byte> unescapedName, JsonElement value, PooledBufferWriter output)
    {
        WriteString(unescapedName, output);
        output.Write((byte)':');
        WriteValue(value, output, 1);
    }

    /// <summary>Writes a property name or string value canonically.</summary>
    public static void WriteString(ReadOnlySpan<byte> unescapedUtf8, PooledBufferWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write((byte)'"');
        var rest = unescapedUtf8;
        int next;
        while ((next = rest.IndexOfAny(MustEscape)) >= 0)
        {
            output.Write(rest[..next]);
            WriteEscape(rest[next], output);
            rest = rest[(next + 1)..];
        }

        output.Write(rest);
        output.Write((byte)'"');
    }

    private static readonly SearchValues<byte> NonAsciiOrBackslash = SearchValues.Create(
        [(byte)'\\', .. Enumerable.Range(0x80, 0x80).Select(static b => (byte)b)]);

    /// <summary>The bytes canonical JSON escapes: C0 controls, quote and backslash.</summary>
    private static readonly SearchValues<byte> MustEscape = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(static b => (byte)b), (byte)'"', (byte)'\\']);

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
        output.Write((byte)'{');
        if (value.GetPropertyCount() == 1)
        {
            // Nothing to sort (m.relates_to, hashes, unsigned, ...), so no need for SortedProperties' buffers.
            foreach (var property in value.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(property);
                WriteString(name.IndexOf((byte)'\\') >= 0 ? UnescapedName(property) : name, output);
                output.Write((byte)':');
                WriteValue(property.Value, output, depth + 1);
            }

            output.Write((byte)'}');
            return;
        }

        using var properties = SortedProperties.Of(value);
        var first = true;
        foreach (var property in properties)
        {
            if (!first)
            {
                output.Write((byte)',');
            }

            first = false;
            WriteString(property.Name, output);
            output.Write((byte)':');
            WriteValue(property.Value, output, depth + 1);
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

        if (InspectEscapes(inner) == Escapes.Canonical && System.Text.Unicode.Utf8.IsValid(raw))
        {
            // Typical text escapes only quotes, backslashes and newlines, which canonical JSON escapes the same way.
            output.Write(raw);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            if (!TryUnescape(raw, rented, out var length))
            {
                throw new CanonicalJsonException("String contains an unpaired UTF-16 surrogate escape");
            }

            WriteString(rented.AsSpan(0, length), output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Unescapes a raw JSON string token (with its quotes) into UTF-8, which is never longer than the token. False when
    /// the result would not be valid UTF-8: an unpaired surrogate escape, or invalid bytes in the token itself.
    /// </summary>
    private static bool TryUnescape(ReadOnlySpan<byte> quotedToken, Span<byte> destination, out int written)
    {
        try
        {
            var reader = new Utf8JsonReader(quotedToken);
            reader.Read();
            written = reader.CopyString(destination);
        }
        catch (InvalidOperationException)
        {
            // The reader reports an unpaired surrogate escape this way, as JsonElement.GetString does.
            written = 0;
            return false;
        }

        return System.Text.Unicode.Utf8.IsValid(destination[..written]);
    }

    private enum Escapes
    {
        /// <summary>Every escape is written as canonical JSON writes it.</summary>
        Canonical,

        /// <summary>Some escape is not canonical (<c>\/</c>, <c>\u0041</c>, <c>\u000A</c>, upper-case hex), none is a surrogate.</summary>
        NotCanonical,

        /// <summary>Some <c>\u</c> escape is a UTF-16 surrogate, which only unescaping can tell paired or not.</summary>
        Surrogate,
    }

    /// <summary>Classifies the escapes of the inside of a raw JSON string (or a raw property name).</summary>
    private static Escapes InspectEscapes(ReadOnlySpan<byte> inner)
    {
        var result = Escapes.Canonical;
        int next;
        while ((next = inner.IndexOf((byte)'\\')) >= 0)
        {
            // The parser has checked the syntax: a backslash is followed by one of "\/bfnrtu, and u by four hex digits.
            // Anything else is left to the exact path, as if it were a surrogate.
            if (next + 1 >= inner.Length)
            {
                return Escapes.Surrogate;
            }

            if (inner[next + 1] != (byte)'u')
            {
                if (inner[next + 1] == (byte)'/')
                {
                    result = Escapes.NotCanonical;
                }

                inner = inner[(next + 2)..];
                continue;
            }

            if (next + 6 > inner.Length || !Utf8Parser.TryParse(inner.Slice(next + 2, 4), out ushort unit, out var used, 'X') || used != 4)
            {
                return Escapes.Surrogate;
            }

            if (char.IsSurrogate((char)unit))
            {
                return Escapes.Surrogate;
            }

            // Canonical JSON writes \u00xx, lower-case, only for control characters without a short form.
            var canonical = unit < 0x20 && unit is not ('\b' or '\t' or '\n' or '\f' or '\r')
                && inner[next + 5] is not (>= (byte)'A' and <= (byte)'F');
            if (!canonical)
            {
                result = Escapes.NotCanonical;
            }

            inner = inner[(next + 6)..];
        }

        return result;
    }

    /// <summary>Whether a raw string token or property name is valid UTF-8 and, if escaped, unescapes to valid UTF-8.</summary>
    private static bool IsValidString(ReadOnlySpan<byte> raw, bool quoted)
    {
        if (raw.IndexOfAny(NonAsciiOrBackslash) < 0)
        {
            // Plain ASCII without escapes, as most strings in events are: one scan settles it.
            return true;
        }

        if (!System.Text.Unicode.Utf8.IsValid(raw))
        {
            return false;
        }

        if (raw.IndexOf((byte)'\\') < 0 || InspectEscapes(quoted ? raw[1..^1] : raw) != Escapes.Surrogate)
        {
            return true;
        }

        var tokenLength = quoted ? raw.Length : raw.Length + 2;
        var rented = ArrayPool<byte>.Shared.Rent(tokenLength * 2);
        try
        {
            var token = rented.AsSpan(0, tokenLength);
            if (quoted)
            {
                raw.CopyTo(token);
            }
            else
            {
                token[0] = (byte)'"';
                raw.CopyTo(token[1..]);
                token[^1] = (byte)'"';
            }

            return TryUnescape(token, rented.AsSpan(tokenLength), out _);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
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

    /// <summary>
    /// True when <see cref="Validate(JsonElement, bool, string, int)"/> would accept <paramref name="value"/> and, with
    /// <paramref name="rejectDuplicates"/>, no object in it has a key twice. Allocates nothing. False means "not
    /// certainly": the caller must then take the exact path.
    /// </summary>
    private static bool IsValid(JsonElement value, bool strict, int depth, bool rejectDuplicates)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                return depth < MaxDepth && IsValidObject(value, strict, depth, rejectDuplicates);
            case JsonValueKind.Array:
                if (depth >= MaxDepth)
                {
                    return false;
                }

                foreach (var item in value.EnumerateArray())
                {
                    if (!IsValid(item, strict, depth + 1, rejectDuplicates))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.String:
                return IsValidString(JsonMarshal.GetRawUtf8Value(value), quoted: true);
            case JsonValueKind.Number when strict:
                return IsStrictInteger(JsonMarshal.GetRawUtf8Value(value));
            default:
                return true;
        }
    }

    /// <summary>
    /// <see cref="IsValid"/> for an object. Duplicate keys are ruled out by hashing the raw names and finding no two
    /// hashes equal, so a false may also mean a hash collision or an escaped name (equal keys can be spelled
    /// differently); the exact path then decides.
    /// </summary>
    private static bool IsValidObject(JsonElement value, bool strict, int depth, bool rejectDuplicates)
    {
        var count = value.GetPropertyCount();
        var checkNames = rejectDuplicates && count > 1;
        int[]? rented = null;
        var hashes = !checkNames ? []
            : count <= 32 ? stackalloc int[count]
            : (rented = ArrayPool<int>.Shared.Rent(count)).AsSpan(0, count);
        try
        {
            var i = 0;
            foreach (var property in value.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(property);
                if (!IsValidString(name, quoted: false) || (checkNames && name.IndexOf((byte)'\\') >= 0))
                {
                    return false;
                }

                if (checkNames)
                {
                    var hash = default(HashCode);
                    hash.AddBytes(name);
                    hashes[i++] = hash.ToHashCode();
                }

                if (!IsValid(property.Value, strict, depth + 1, rejectDuplicates))
                {
                    return false;
                }
            }

            hashes.Sort();
            for (var j = 1; j < hashes.Length; j++)
            {
                if (hashes[j] == hashes[j - 1])
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private static bool IsStrictInteger(ReadOnlySpan<byte> raw) =>
        raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
        && Utf8Parser.TryParse(raw, out long number, out var consumed) && consumed == raw.Length
        && number is <= MaxSafeInteger and >= -MaxSafeInteger;

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
                if (!IsValidString(raw, quoted: true))
                {
                    throw new CanonicalJsonException($"String contains an unpaired UTF-16 surrogate escape at {path}");
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
