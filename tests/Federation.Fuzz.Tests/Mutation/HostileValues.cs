using System.Text;

namespace Federation.Fuzz.Tests.Mutation;

/// <summary>
/// JSON values and string fragments that parsers get wrong: numbers past 2^53 and past any float, huge exponents,
/// unpaired surrogate escapes, invalid UTF-8, NUL, nesting far past any limit, oversized strings and arrays.
/// </summary>
public static class HostileValues
{
    /// <summary>Nesting depth of the deep values: far past <c>CanonicalJson.MaxDepth</c> and any recursion budget.</summary>
    public const int DeepNesting = 10_000;

    /// <summary>Longer than an event may be (64 KiB), so size limits are crossed, not merely approached.</summary>
    public const int OversizeLength = 70_000;

    /// <summary>Whole JSON values to put where a value was.</summary>
    public static IReadOnlyList<byte[]> Values { get; } =
    [
        .. new[]
        {
            "9007199254740991", "9007199254740992", "-9007199254740992", "-9007199254740991", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e400", "-1e400", "1e-400", "1E+2147483648",
            "1e-2147483649", "0.1", "1.0", "-0", "-0.0", "1e10", "0e0", "1E2", "123456789012345678901234567890.5e-5",
            "1" + new string('0', 400) + ".0", new string('9', 10_000), "-" + new string('1', 5_000) + "e-5000",
            "\"\\ud800\"", "\"\\udc00\"", "\"x\\ud83d\\u0041\"", "\"\\ude00\\ud83d\"", "\"\\uDBFF\"", "\"\\ud83d\\ude00\"",
            "\"\\u0000\"", "\"a\\u0000b\"", "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", "\"\\u00E9\\u00e9\"", "\"\"", "{}", "[]", "null", "true",
            "false", "\"" + new string('a', OversizeLength) + "\"", "\"" + string.Concat(Enumerable.Repeat("\\u0041", 12_000)) + "\"",
            string.Concat(Enumerable.Repeat("[", 63)) + string.Concat(Enumerable.Repeat("]", 63)),
            string.Concat(Enumerable.Repeat("[", 64)) + string.Concat(Enumerable.Repeat("]", 64)),
            string.Concat(Enumerable.Repeat("[", 65)) + string.Concat(Enumerable.Repeat("]", 65)),
            string.Concat(Enumerable.Repeat("[", DeepNesting)) + string.Concat(Enumerable.Repeat("]", DeepNesting)),
            string.Concat(Enumerable.Repeat("{\"a\":", DeepNesting)) + "1" + string.Concat(Enumerable.Repeat("}", DeepNesting)),
            string.Concat(Enumerable.Repeat("[", DeepNesting)),
            "[" + string.Join(",", Enumerable.Repeat("0", 100_000)) + "]",
            "{" + string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"\"k{i}\":{i}")) + "}",
            "{" + string.Join(",", Enumerable.Repeat("\"k\":0", 2_000)) + "}",
            "{\"a\":1,\"\\u0061\":2}", "{\"\\ud800\":1}", "{\"\\ud800\":1,\"\\udc00\":2}", "{\"\\u0000\":0}",
        }.Select(Encoding.UTF8.GetBytes),
        // Invalid UTF-8 inside strings and keys: overlong NUL, an encoded surrogate, bytes never valid, past U+10FFFF,
        // a truncated sequence; and a raw NUL, which JSON forbids unescaped.
        [.. "\""u8, 0xC0, 0x80, .. "\""u8], [.. "\""u8, 0xED, 0xA0, 0x80, .. "\""u8], [.. "\""u8, 0xFF, 0xFE, .. "\""u8],
        [.. "\""u8, 0xF4, 0x90, 0x80, 0x80, .. "\""u8], [.. "\""u8, 0xE2, 0x82, .. "\""u8], [.. "\"a"u8, 0x00, .. "b\""u8],
        [.. "{\""u8, 0xC3, .. "\":1}"u8],
    ];

    /// <summary>Fragments to put inside a string (between its quotes).</summary>
    public static IReadOnlyList<byte[]> StringFragments { get; } =
    [
        .. new[] { "\\ud800", "\\udfff", "\\ud83d\\u0041", "\\ude00", "\\u0000", "\\uD83D\\uDE00", "\\", "\\u12", "\\x41", "\\u00e9", "\"" }
            .Select(Encoding.UTF8.GetBytes),
        [0x00], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xFF], [0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80],
        [0xF0, 0x9F, 0x98, 0x80], [0x0A], [0x1F], [0x7F], [0xE2, 0x80, 0xA8],
    ];

    /// <summary>Single bytes that change a token's meaning when they replace one.</summary>
    public static IReadOnlyList<byte> Bytes { get; } =
    [
        0x00, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)',', 0x80, 0xC0, 0xFF, 0xED,
        0xF4, 0x7F, (byte)'\n', (byte)' ', (byte)'-', (byte)'0', (byte)'9', (byte)'e', (byte)'.', (byte)'u', (byte)'/',
    ];
}
