using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;
using Federation.Fuzz.Tests.Mutation;
using Federation.Protocol.Authentication;
using Xunit.Abstractions;

namespace Federation.Fuzz.Tests;

/// <summary><see cref="XMatrixAuthorization.TryParse"/> on valid headers in every spelling, and on mutated ones.</summary>
public class XMatrixAuthorizationFuzzTests(ITestOutputHelper output)
{
    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Valid_headers_in_any_spelling_parse_to_their_parameters_and_round_trip() => Task.Run(() =>
        new FuzzRun(nameof(Valid_headers_in_any_spelling_parse_to_their_parameters_and_round_trip), 10_000, output).Check(
            random => XMatrixHeaderGenerator.Next(random),
            generated =>
            {
                PropertyViolationException.Unless(XMatrixAuthorization.TryParse(generated.Header, out var parsed, out var error), $"refused: {error}");
                PropertyViolationException.Unless(parsed == generated.Expected, $"parsed as {parsed}, expected {generated.Expected}");
                PropertyViolationException.Unless(
                    XMatrixAuthorization.TryParse(parsed.ToHeaderValue(), out var again, out _) && again == parsed,
                    "the header we would write for it does not parse back to it");
                return true;
            },
            generated => generated.Header.Length * 2,
            generated => FuzzRun.Printable(generated.Header)));

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Mutated_headers_are_refused_with_an_error_or_parse_to_a_complete_authorization() => Task.Run(() =>
        new FuzzRun(nameof(Mutated_headers_are_refused_with_an_error_or_parse_to_a_complete_authorization), 6_000, output).Check(
            random =>
            {
                var (header, _) = XMatrixHeaderGenerator.Next(random);
                var (donor, _) = XMatrixHeaderGenerator.Next(random);
                return TextMutator.Mutate(random, header, donor);
            },
            mutated =>
            {
                if (!XMatrixAuthorization.TryParse(mutated.Text, out var parsed, out var error))
                {
                    PropertyViolationException.Unless(!string.IsNullOrEmpty(error), "refused without saying why");
                    return false;
                }

                PropertyViolationException.Unless(parsed.Origin.Length > 0 && parsed.KeyId.Length > 0 && parsed.Signature.Length > 0, "accepted with an empty parameter");
                PropertyViolationException.Unless(
                    XMatrixAuthorization.TryParse(parsed.ToHeaderValue(), out var again, out _) && again == parsed,
                    "the header we would write for it does not parse back to it");
                return true;
            },
            mutated => mutated.Text.Length * 2,
            mutated => $"{mutated.Mutations}: {FuzzRun.Printable(mutated.Text)}"));
}
