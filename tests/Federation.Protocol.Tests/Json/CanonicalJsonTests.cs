using System.Text;
using Federation.Protocol.Json;

namespace Federation.Protocol.Tests.Json;

public class CanonicalJsonTests
{
    private static string Canonical(string json, bool strict = false)
    {
        using var document = CanonicalJson.Parse(json, strict);
        return CanonicalJson.EncodeToString(document.RootElement);
    }

    [Theory]
    [InlineData("{}", "{}")]
    [InlineData("{\n    \"one\": 1,\n    \"two\": \"Two\"\n}", "{\"one\":1,\"two\":\"Two\"}")]
    [InlineData("{\n    \"b\": \"2\",\n    \"a\": \"1\"\n}", "{\"a\":\"1\",\"b\":\"2\"}")]
    [InlineData("{\"b\":\"2\",\"a\":\"1\"}", "{\"a\":\"1\",\"b\":\"2\"}")]
    [InlineData(
        "{\"auth\":{\"success\":true,\"mxid\":\"@john.doe:example.com\",\"profile\":{\"display_name\":\"John Doe\",\"three_pids\":[{\"medium\":\"email\",\"address\":\"john.doe@example.org\"},{\"medium\":\"msisdn\",\"address\":\"123456789\"}]}}}",
        "{\"auth\":{\"mxid\":\"@john.doe:example.com\",\"profile\":{\"display_name\":\"John Doe\",\"three_pids\":[{\"address\":\"john.doe@example.org\",\"medium\":\"email\"},{\"address\":\"123456789\",\"medium\":\"msisdn\"}]},\"success\":true}}")]
    [InlineData("{\"a\": \"日本語\"}", "{\"a\":\"日本語\"}")]
    [InlineData("{\"本\": 2, \"日\": 1}", "{\"日\":1,\"本\":2}")]
    [InlineData("{\"a\": \"\\u65E5\"}", "{\"a\":\"日\"}")]
    [InlineData("{\"a\": null}", "{\"a\":null}")]
    [InlineData("{\"a\": -0, \"b\": 1e10}", "{\"a\":0,\"b\":10000000000}")]
    public void Encode_spec_examples_produce_the_published_canonical_form(string input, string expected) =>
        Assert.Equal(expected, Canonical(input));

    [Fact]
    public void Encode_escapes_only_quote_backslash_and_control_characters()
    {
        var input = "{\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0001 \\u001f \\u007f \\u2028 é <>&'+\"}";
        Assert.Equal("{\"s\":\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0001 \\u001f \u007f \u2028 é <>&'+\"}", Canonical(input));
    }

    [Fact]
    public void Encode_sorts_keys_by_code_point_not_by_utf16_unit()
    {
        // U+1F600 is a surrogate pair in UTF-16 (0xD83D…) and so sorts before U+FB01 by UTF-16 unit, after it by code point.
        var result = Canonical("{\"\\ud83d\\ude00\":1,\"\\ufb01\":2,\"a\":3}");
        Assert.Equal("{\"a\":3,\"ﬁ\":2,\"😀\":1}", result);
    }

    [Fact]
    public void Encode_sorts_escaped_keys_by_their_unescaped_value()
    {
        Assert.Equal("{\"a\":1,\"b\":2}", Canonical("{\"\\u0062\":2,\"a\":1}"));
    }

    [Fact]
    public void Encode_leaves_arrays_in_order_and_nested_objects_sorted()
    {
        Assert.Equal("[3,1,{\"a\":[],\"b\":{}}]", Canonical("[ 3 , 1 , { \"b\" : { } , \"a\" : [ ] } ]"));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("9007199254740992")]
    [InlineData("-9007199254740992")]
    [InlineData("123456789012345678901234567890")]
    public void Parse_in_strict_mode_refuses_numbers_canonical_json_cannot_hold(string number)
    {
        var error = Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Parse($"{{\"content\":{{\"n\":{number}}}}}", strict: true));
        Assert.Contains("$.content.n", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9007199254740991")]
    [InlineData("-9007199254740991")]
    [InlineData("0")]
    public void Parse_in_strict_mode_accepts_integers_within_range(string number) =>
        Assert.Equal($"{{\"n\":{number}}}", Canonical($"{{\"n\":{number}}}", strict: true));

    [Fact]
    public void Parse_in_lenient_mode_keeps_non_integral_numbers_as_sent()
    {
        Assert.Equal("{\"m\":12345678901234567890,\"n\":1.5}", Canonical("{\"n\":1.5,\"m\":12345678901234567890}"));
    }

    [Theory]
    [InlineData("{\"a\":1,\"a\":2}", "Duplicate")]
    [InlineData("{\"a\":1", "Invalid JSON")]
    [InlineData("{'a':1}", "Invalid JSON")]
    [InlineData("{\"a\":1,}", "Invalid JSON")]
    [InlineData("{\"a\":\"\\ud800\"}", "surrogate")]
    [InlineData("{\"\\udc00\":1}", "surrogate")]
    public void Parse_refuses_malformed_input_with_a_clear_message(string json, string messagePart)
    {
        var error = Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Parse(json, strict: false));
        Assert.Contains(messagePart, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_refuses_invalid_utf8()
    {
        byte[] bytes = [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Parse(bytes, strict: false));
    }

    [Fact]
    public void Parse_refuses_deep_nesting_without_exhausting_the_stack()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);
        var error = Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Parse(deep, strict: false));
        Assert.Contains("depth", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_accepts_nesting_up_to_the_limit()
    {
        var depth = CanonicalJson.MaxDepth - 1;
        var nested = new StringBuilder().Append('[', depth).Append(']', depth).ToString();
        Assert.Equal(nested, Canonical(nested));
    }

    [Fact]
    public void WriteObjectWithout_drops_only_the_named_top_level_keys()
    {
        using var document = CanonicalJson.Parse("{\"unsigned\":{},\"b\":{\"unsigned\":1},\"signatures\":{},\"a\":1}", strict: true);
        using var buffer = new PooledBufferWriter();
        CanonicalJson.WriteObjectWithout(document.RootElement, buffer, "signatures", "unsigned");
        Assert.Equal("{\"a\":1,\"b\":{\"unsigned\":1}}", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Encode_keeps_duplicate_keys_in_their_order_so_that_re_encoding_gives_the_same_bytes()
    {
        // Found by fuzzing: a lenient reader lets duplicate keys through, and an unstable sort wrote them in an order
        // that changed when the encoding was parsed and encoded again, so a PDU's event id changed on re-encoding.
        var members = Enumerable.Range(0, 40).Select(i => $"\"k{i % 7}\":{i}");
        using var document = System.Text.Json.JsonDocument.Parse("{" + string.Join(",", members) + "}");

        var encoded = CanonicalJson.Encode(document.RootElement);
        using var reparsed = System.Text.Json.JsonDocument.Parse(encoded);

        Assert.StartsWith("{\"k0\":0,\"k0\":7,\"k0\":14,", Encoding.UTF8.GetString(encoded), StringComparison.Ordinal);
        Assert.Equal(encoded, CanonicalJson.Encode(reparsed.RootElement));
    }
}
