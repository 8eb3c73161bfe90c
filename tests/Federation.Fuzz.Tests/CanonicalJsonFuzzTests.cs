using System.Text;
using System.Text.Json;
using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;
using Federation.Fuzz.Tests.Mutation;
using Federation.Fuzz.Tests.Properties;
using Federation.Protocol.Json;
using Xunit.Abstractions;

namespace Federation.Fuzz.Tests;

/// <summary><see cref="CanonicalJson"/> parsing, validation and encoding, in strict and lenient mode.</summary>
public class CanonicalJsonFuzzTests(ITestOutputHelper output)
{
    /// <summary>The options the federation API and client read bodies with, before any canonical check.</summary>
    private static readonly JsonDocumentOptions TransportOptions = new() { MaxDepth = CanonicalJson.MaxDepth };

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Valid_json_in_any_spelling_encodes_as_the_reference_encoder_does_and_round_trips() => Task.Run(() =>
        new FuzzRun(nameof(Valid_json_in_any_spelling_encodes_as_the_reference_encoder_does_and_round_trips), 8_000, output).Check(
            random =>
            {
                var strict = random.NextBool();
                return (Strict: strict, Text: JsonTextFormatter.Write(random, JsonNodeGenerator.Value(random, strict)));
            },
            input =>
            {
                using var document = CanonicalJson.Parse(input.Text, input.Strict);
                var encoded = CanonicalJson.Encode(document.RootElement);
                using var reparsed = CanonicalJson.Parse(encoded, input.Strict);
                PropertyViolationException.Unless(CanonicalJson.Encode(reparsed.RootElement).AsSpan().SequenceEqual(encoded), "encoding is not idempotent");
                PropertyViolationException.Unless(JsonElement.DeepEquals(document.RootElement, reparsed.RootElement), "parse(encode(x)) differs from x");
                if (input.Strict)
                {
                    var expected = ReferenceCanonicalJson.Encode(document.RootElement);
                    var actual = Encoding.UTF8.GetString(encoded);
                    PropertyViolationException.Unless(actual == expected, $"encoded as {FuzzRun.Printable(actual)}, the spec says {FuzzRun.Printable(expected)}");
                }

                return true;
            },
            input => input.Text.Length,
            input => $"strict={input.Strict}: {FuzzRun.Printable(input.Text)}"));

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Mutated_json_is_refused_with_a_canonical_json_error_or_encodes_to_a_fixed_point() => Task.Run(() =>
        new FuzzRun(nameof(Mutated_json_is_refused_with_a_canonical_json_error_or_encodes_to_a_fixed_point), 1_000, output).Check(
            random =>
            {
                var strict = random.NextBool();
                var original = JsonTextFormatter.Write(random, JsonNodeGenerator.Value(random, strict));
                var donor = JsonTextFormatter.Write(random, JsonNodeGenerator.Value(random, strict));
                var (text, mutations) = random.OneIn(10) ? (RandomJsonish(random), "random bytes") : JsonMutator.Mutate(random, original, donor);
                return (Strict: strict, Text: text, Mutations: mutations);
            },
            input => CheckCanonical(input.Text, input.Strict) | CheckTransportParsed(input.Text, input.Strict),
            input => input.Text.Length,
            input => $"strict={input.Strict}, {input.Mutations}: {FuzzRun.Printable(input.Text)}"));

    /// <summary>The canonical parser: a document whose encoding re-parses (same mode) to the same encoding, or <see cref="CanonicalJsonException"/>.</summary>
    private static bool CheckCanonical(byte[] text, bool strict)
    {
        JsonDocument document;
        try
        {
            document = CanonicalJson.Parse(text, strict);
        }
        catch (CanonicalJsonException e)
        {
            PropertyViolationException.Unless(e.Message.Length > 0, "refused without a message");
            return false;
        }

        using (document)
        {
            CanonicalJson.Validate(document.RootElement, strict);
            var encoded = CanonicalJson.Encode(document.RootElement);
            using var reparsed = CanonicalJson.Parse(encoded, strict);
            PropertyViolationException.Unless(CanonicalJson.Encode(reparsed.RootElement).AsSpan().SequenceEqual(encoded), "encoding is not idempotent");
            if (strict)
            {
                PropertyViolationException.Unless(
                    Encoding.UTF8.GetString(encoded) == ReferenceCanonicalJson.Encode(document.RootElement), "encoding differs from the reference encoder's");
            }

            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                _ = JsonSigning.SignedBytes(document.RootElement);
            }

            return true;
        }
    }

    /// <summary>
    /// JSON the transport let through (duplicate keys and all) must be validated and encoded with either a result or
    /// <see cref="CanonicalJsonException"/>, and whatever validation accepts must encode.
    /// </summary>
    private static bool CheckTransportParsed(byte[] text, bool strict)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, TransportOptions);
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            var valid = true;
            try
            {
                CanonicalJson.Validate(document.RootElement, strict);
            }
            catch (CanonicalJsonException)
            {
                valid = false;
            }

            try
            {
                _ = CanonicalJson.Encode(document.RootElement);
            }
            catch (CanonicalJsonException e)
            {
                PropertyViolationException.Unless(!valid, $"validation accepted a value that does not encode: {e.Message}");
            }

            return valid;
        }
    }

    /// <summary>Short random text over JSON's own alphabet, with a few bytes that are not UTF-8.</summary>
    private static byte[] RandomJsonish(FuzzRandom random)
    {
        const string Alphabet = "{}[]:,\"\\ 0123456789-+.eEtrufalsn u/bfnrtx";
        var bytes = new byte[random.Next(64)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = random.OneIn(20) ? (byte)(0x80 + random.Next(0x80)) : (byte)Alphabet[random.Next(Alphabet.Length)];
        }

        return bytes;
    }
}
