using System.Globalization;
using Federation.Client.Discovery;
using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;
using Federation.Fuzz.Tests.Mutation;
using Federation.Protocol.Events;
using Xunit.Abstractions;

namespace Federation.Fuzz.Tests;

/// <summary>Server names (<see cref="ServerNameParts"/>) and the ids that carry them (<see cref="MatrixIds"/>).</summary>
public class ServerNameFuzzTests(ITestOutputHelper output)
{
    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Valid_server_names_split_into_their_host_and_port() => Task.Run(() =>
        new FuzzRun(nameof(Valid_server_names_split_into_their_host_and_port), 20_000, output).Check(
            random => ServerNameGenerator.Next(random),
            generated =>
            {
                PropertyViolationException.Unless(ServerNameParts.TryParse(generated.Name, out var parts), "a valid server name was refused");
                PropertyViolationException.Unless(parts.Host == generated.Host && parts.Port == generated.Port, $"split as {parts}");
                var userId = $"@alice:{generated.Name}";
                PropertyViolationException.Unless(MatrixIds.IsUserId(userId) && MatrixIds.ServerNameOf(userId) == generated.Name, "the server name of a user id was lost");
                return true;
            },
            generated => generated.Name.Length * 2,
            generated => generated.Name));

    [Fact(Timeout = FuzzTimeouts.PerTest)]
    public Task Mutated_server_names_and_ids_are_refused_or_split_consistently() => Task.Run(() =>
        new FuzzRun(nameof(Mutated_server_names_and_ids_are_refused_or_split_consistently), 10_000, output).Check(
            random =>
            {
                var (name, _, _) = ServerNameGenerator.Next(random);
                var (donor, _, _) = ServerNameGenerator.Next(random);
                var sigil = random.Pick(new[] { "", "@alice:", "$event:", "!room:", "#alias:" });
                return TextMutator.Mutate(random, sigil + name, donor);
            },
            mutated =>
            {
                var text = mutated.Text;
                var server = MatrixIds.ServerNameOf(text);
                PropertyViolationException.Unless(server is null || (server.Length > 0 && text.EndsWith(":" + server, StringComparison.Ordinal)), $"server name '{server}' is not the id's suffix");
                PropertyViolationException.Unless(!MatrixIds.IsUserId(text) || (text[0] == '@' && server is not null), "a user id without @ or server");
                if (!ServerNameParts.TryParse(text, out var parts))
                {
                    return false;
                }

                PropertyViolationException.Unless(parts.Host.Length > 0 && parts.Port is null or (> 0 and <= 65535), $"split as {parts}");
                var rebuilt = parts.Port is { } port ? $"{parts.Host}:{port.ToString(CultureInfo.InvariantCulture)}" : parts.Host;
                PropertyViolationException.Unless(
                    ServerNameParts.TryParse(rebuilt, out var again) && again == parts, $"'{rebuilt}', rebuilt from its parts, splits differently");
                _ = parts.IsIpLiteral;
                return true;
            },
            mutated => mutated.Text.Length * 2,
            mutated => $"{mutated.Mutations}: {FuzzRun.Printable(mutated.Text)}"));
}
