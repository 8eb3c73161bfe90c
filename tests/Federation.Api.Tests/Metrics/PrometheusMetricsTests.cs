using System.Diagnostics.Metrics;
using Federation.Api.Metrics;
using Federation.Client.Diagnostics;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Metrics;

public class PrometheusMetricsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public void Counters_and_histograms_render_in_the_prometheus_text_format()
    {
        using var metrics = new PrometheusMetrics();
        FederationClientMetrics.RecordRequest("render.test", "ok", TimeSpan.FromMilliseconds(30));
        FederationClientMetrics.RecordRequest("render.test", "ok", TimeSpan.FromSeconds(2));

        var text = metrics.Render();

        Assert.Contains("# TYPE federation_client_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("federation_client_requests_total{destination=\"render.test\",outcome=\"ok\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE federation_client_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("federation_client_request_duration_seconds_bucket{destination=\"render.test\",outcome=\"ok\",le=\"0.05\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("federation_client_request_duration_seconds_bucket{destination=\"render.test\",outcome=\"ok\",le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("federation_client_request_duration_seconds_count{destination=\"render.test\",outcome=\"ok\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histograms_of_sizes_have_size_buckets_not_seconds()
    {
        using var meter = new Meter("Federation.Test.Sizes");
        var sizes = meter.CreateHistogram<long>("federation.test.state_sets");
        using var metrics = new PrometheusMetrics();
        sizes.Record(3);
        sizes.Record(40_000);

        var text = metrics.Render();

        Assert.Contains("federation_test_state_sets_bucket{le=\"5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("federation_test_state_sets_bucket{le=\"100000\"} 2\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("federation_test_state_sets_bucket{le=\"0.001\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_values_are_escaped_and_gauges_show_their_last_value()
    {
        using var meter = new Meter("Federation.Test.Gauges");
        var level = 3;
        meter.CreateObservableGauge("federation.test.queue", () => new Measurement<int>(level, new KeyValuePair<string, object?>("room", "!a\"b:x")));
        using var metrics = new PrometheusMetrics();

        level = 7;
        var text = metrics.Render();

        Assert.Contains("# TYPE federation_test_queue gauge", text, StringComparison.Ordinal);
        Assert.Contains("federation_test_queue{room=\"!a\\\"b:x\"} 7\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_serves_its_metrics_at_slash_metrics()
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();
        FederationClientMetrics.RecordRequest("served.test", "unreachable", TimeSpan.FromSeconds(1));

        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("destination=\"served.test\",outcome=\"unreachable\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
