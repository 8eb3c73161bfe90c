using System.Net;
using System.Text.Json;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Divergence;
using Federation.Storage.Dag;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Tests.Admin;

public sealed class AdminDagApiTests(AdminServerFixture admin) : IClassFixture<AdminServerFixture>
{
    [Fact]
    public async Task The_dag_json_describes_events_edges_holes_and_statuses()
    {
        using var http = new HttpClient();

        using var document = JsonDocument.Parse(await http.GetStringAsync(admin.RoomPath("dag.json")));

        var root = document.RootElement;
        Assert.Equal("10", root.GetProperty("room_version").GetString());
        Assert.Equal(12, root.GetProperty("total_events").GetInt64());
        var nodes = root.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("event_id").GetString()!);
        Assert.Equal(12, nodes.Count);
        Assert.Equal("rejected", nodes["$tb"].GetProperty("status").GetString());
        Assert.Equal("soft_failed", nodes["$sf"].GetProperty("status").GetString());
        Assert.True(nodes["$out"].GetProperty("outlier").GetBoolean());
        Assert.True(nodes["$m"].GetProperty("merge").GetBoolean());
        Assert.True(nodes["$jb"].GetProperty("fork").GetBoolean());
        Assert.True(nodes["$x"].GetProperty("forward_extremity").GetBoolean());
        var edges = root.GetProperty("edges").EnumerateArray()
            .Select(e => (e.GetProperty("from").GetString(), e.GetProperty("to").GetString(), e.GetProperty("kind").GetString())).ToList();
        Assert.Contains(("$m", "$ta", "prev"), edges);
        Assert.Contains(("$x", "$gone", "hole"), edges);
        var hole = Assert.Single(root.GetProperty("holes").EnumerateArray());
        Assert.Equal("$gone", hole.GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task Divergence_json_and_the_dag_give_the_latest_stored_report_and_its_first_divergent_event()
    {
        using var http = new HttpClient();
        var store = admin.Server.Services.GetRequiredService<DagStore>();
        var afterX = await store.GetStateFingerprintAsync(AdminServerFixture.RoomId, "$x", StatePosition.After);
        var ours = new StateFingerprint(afterX!.Digest, afterX.Count);
        var other = new StateFingerprint(StateDigest.Empty, 0);
        await admin.Server.Services.GetRequiredService<DivergenceReportStore>().RecordAsync(
            new DivergenceReport(
                AdminServerFixture.RoomId,
                "$x",
                DateTimeOffset.UnixEpoch,
                DivergenceClassifier.Classify(
                    ours,
                    [PeerAnswer.WithDigest("a.test", ours), PeerAnswer.WithDigest("c.test", other), PeerAnswer.NotHeld("b.test", "404")],
                    minimumDigests: 1),
                BisectedPeer: "c.test",
                Bisection: new BisectionResult(BisectionOutcome.Found, "$m", "$ta", PeerLacksEvent: false, Probes: 3)),
            CancellationToken.None);

        using var document = JsonDocument.Parse(await http.GetStringAsync(admin.RoomPath("divergence.json")));
        using var dag = JsonDocument.Parse(await http.GetStringAsync(admin.RoomPath("dag.json")));

        var current = document.RootElement.GetProperty("current");
        Assert.Equal(2, current.GetProperty("extremities").GetArrayLength());
        Assert.Contains(current.GetProperty("extremities").EnumerateArray(), e => e.GetProperty("digest").GetString() == afterX.Digest.ToString());
        var report = document.RootElement.GetProperty("report");
        Assert.Equal("peer_lagging", report.GetProperty("class").GetString());
        Assert.Equal(afterX.Digest.ToString(), report.GetProperty("our_digest").GetString());
        Assert.Equal("404", report.GetProperty("unanswered").GetProperty("b.test").GetString());
        Assert.Equal("$m", report.GetProperty("bisection").GetProperty("first_divergent").GetString());
        Assert.Equal("$m", dag.RootElement.GetProperty("first_divergent_event").GetString());
        Assert.Equal("peer_lagging", dag.RootElement.GetProperty("divergence_class").GetString());
        var marked = dag.RootElement.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("first_divergent").GetBoolean());
        Assert.Equal("$m", Assert.Single(marked).GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task The_merge_action_answers_a_matrix_error_for_a_room_without_local_members_and_an_unknown_room()
    {
        using var http = new HttpClient();

        using var noMember = await http.PostAsync(admin.RoomPath("merge"), null);
        using var unknown = await http.PostAsync(new Uri(admin.AdminAddress, "/_admin/rooms/!nowhere:test/merge"), null);

        Assert.Equal(HttpStatusCode.Forbidden, noMember.StatusCode);
        using var refused = JsonDocument.Parse(await noMember.Content.ReadAsStringAsync());
        Assert.Equal("M_FORBIDDEN", refused.RootElement.GetProperty("errcode").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var missing = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        Assert.Equal("M_NOT_FOUND", missing.RootElement.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task A_limit_keeps_the_deepest_events_and_older_prevs_become_outside_edges()
    {
        using var http = new HttpClient();

        using var document = JsonDocument.Parse(await http.GetStringAsync(admin.RoomPath("dag.json?limit=3")));

        var nodes = document.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("event_id").GetString()).ToList();
        Assert.Equal(3, nodes.Count);
        Assert.Contains("$x", nodes);
        Assert.Contains(document.RootElement.GetProperty("edges").EnumerateArray(), e => e.GetProperty("kind").GetString() == "outside");
    }

    [Fact]
    public async Task Event_json_gives_the_event_and_the_state_before_it()
    {
        using var http = new HttpClient();

        using var document = JsonDocument.Parse(await http.GetStringAsync(admin.RoomPath("event.json?event_id=" + Uri.EscapeDataString("$bad"))));

        Assert.Equal("m.room.name", document.RootElement.GetProperty("event").GetProperty("type").GetString());
        var state = document.RootElement.GetProperty("state_before").EnumerateArray().Select(e => e[2].GetString()).ToList();
        Assert.Contains("$tb", state);
    }

    [Fact]
    public async Task Unknown_rooms_and_limits_beyond_the_maximum_are_refused()
    {
        using var http = new HttpClient();

        using var unknown = await http.GetAsync(new Uri(admin.AdminAddress, "/_admin/rooms/%21nowhere%3Atest/dag.json"));
        using var tooMany = await http.GetAsync(admin.RoomPath("dag.json?limit=100000"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task The_federation_listener_does_not_serve_the_admin_pages()
    {
        using var client = admin.Server.CreateClient();

        using var response = await client.GetAsync(new Uri($"/_admin/rooms/{Uri.EscapeDataString(AdminServerFixture.RoomId)}/dag.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
