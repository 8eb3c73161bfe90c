using System.Text;
using System.Threading.Channels;
using Federation.Host.Observability;
using Federation.Local.Outbound;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Federation.Api.Tests.Metrics;

public sealed class QueueDepthAndOtlpTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Queue_depths_are_gauges_on_slash_metrics()
    {
        await using (var dataSource = NpgsqlDataSource.Create(database.ConnectionString))
        await using (var insert = dataSource.CreateCommand(
            """
            INSERT INTO outbound_pdus (destination, room_id, event_id, enqueued_ts)
            VALUES ('a.example', '!q:x', '$1', 1), ('a.example', '!q:x', '$2', 2), ('b.example', '!q:x', '$1', 3)
            """))
        {
            await insert.ExecuteNonQueryAsync();
        }

        using var server = new FederationServerFactory(database);
        // The sender would drop these rows (their events are not held) before the gauges are sampled.
        using var withoutSender = server.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
        {
            foreach (var sender in services.Where(d => d.ImplementationType == typeof(OutboundSender)).ToList())
            {
                services.Remove(sender);
            }
        }));
        using var client = withoutSender.CreateClient();
        await withoutSender.Services.GetRequiredService<QueueDepthMetrics>().SampleAsync(CancellationToken.None);

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("# TYPE federation_outbound_queue_depth gauge", text, StringComparison.Ordinal);
        Assert.Contains("federation_outbound_queue_depth 3\n", text, StringComparison.Ordinal);
        Assert.Contains("federation_outbound_queue_destinations 2\n", text, StringComparison.Ordinal);
        Assert.Contains("federation_inbound_queue_depth 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_are_pushed_to_an_otlp_collector_when_an_endpoint_is_set()
    {
        var received = Channel.CreateUnbounded<byte[]>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        collectorBuilder.Logging.ClearProviders();
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.Writer.TryWrite(body.ToArray());
            return Results.Ok();
        });
        await collector.StartAsync();
        var address = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        using var server = new FederationServerFactory(database);
        server.Settings["Observability:OtlpEndpoint"] = address + "/v1/metrics";
        server.Settings["Observability:OtlpProtocol"] = "http/protobuf";
        server.Settings["Observability:ExportInterval"] = "00:00:00.200";
        using var client = server.CreateClient();
        Federation.Client.Diagnostics.FederationClientMetrics.RecordRequest("otlp.test", "ok", TimeSpan.FromMilliseconds(5));

        // Exports run every 200 ms; the first may predate the measurement. The OTLP protobuf carries metric names as
        // plain UTF-8 strings.
        using var timeout = new CancellationTokenSource(ExportTimeout);
        string payload;
        do
        {
            payload = Encoding.UTF8.GetString(await received.Reader.ReadAsync(timeout.Token));
        }
        while (!payload.Contains("federation.client.requests", StringComparison.Ordinal));

        Assert.Contains("otlp.test", payload, StringComparison.Ordinal);
        await collector.StopAsync();
    }

    [Theory]
    [InlineData("Observability:OtlpProtocol", "udp")]
    [InlineData("Observability:OtlpEndpoint", "not a url")]
    [InlineData("Admin:Urls", "http://0.0.0.0:8009")]
    [InlineData("Admin:DagDefaultLimit", "0")]
    public void Invalid_observability_and_admin_options_stop_the_start(string key, string value)
    {
        using var server = new FederationServerFactory(database);
        server.Settings[key] = value;

        var error = Assert.ThrowsAny<Exception>(() => server.CreateClient());

        Assert.Contains(key.Split(':')[0], error.ToString(), StringComparison.Ordinal);
    }
}
