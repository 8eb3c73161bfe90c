using System.Text.Json;
using Federation.Cli;

namespace Federation.StateResolution.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private const string Events = """
        [
          {"event_id": "$create", "room_id": "!r:x", "type": "m.room.create", "state_key": "", "sender": "@alice:x", "content": {"creator": "@alice:x"}, "prev_events": [], "auth_events": [], "origin_server_ts": 1, "depth": 1},
          {"event_id": "$ima", "room_id": "!r:x", "type": "m.room.member", "state_key": "@alice:x", "sender": "@alice:x", "content": {"membership": "join"}, "prev_events": ["$create"], "auth_events": ["$create"], "origin_server_ts": 2, "depth": 2},
          {"event_id": "$pl", "room_id": "!r:x", "type": "m.room.power_levels", "state_key": "", "sender": "@alice:x", "content": {"users": {"@alice:x": 100}}, "prev_events": ["$ima"], "auth_events": ["$create", "$ima"], "origin_server_ts": 3, "depth": 3},
          {"event_id": "$jr", "room_id": "!r:x", "type": "m.room.join_rules", "state_key": "", "sender": "@alice:x", "content": {"join_rule": "public"}, "prev_events": ["$pl"], "auth_events": ["$create", "$ima", "$pl"], "origin_server_ts": 4, "depth": 4},
          {"event_id": "$imb", "room_id": "!r:x", "type": "m.room.member", "state_key": "@bob:x", "sender": "@bob:x", "content": {"membership": "join"}, "prev_events": ["$jr"], "origin_server_ts": 5},
          {"event_id": "$ta", "room_id": "!r:x", "type": "m.room.topic", "state_key": "", "sender": "@alice:x", "content": {"topic": "A"}, "prev_events": ["$imb"], "origin_server_ts": 6},
          {"event_id": "$tb", "room_id": "!r:x", "type": "m.room.topic", "state_key": "", "sender": "@bob:x", "content": {"topic": "B"}, "prev_events": ["$imb"], "origin_server_ts": 7},
          {"event_id": "$end", "room_id": "!r:x", "type": "m.room.message", "sender": "@alice:x", "content": {}, "prev_events": ["$ta", "$tb"], "origin_server_ts": 8}
        ]
        """;

    private const string Base = """
          ["m.room.create", "", "$create"],
          ["m.room.join_rules", "", "$jr"],
          ["m.room.member", "@alice:x", "$ima"],
          ["m.room.member", "@bob:x", "$imb"],
          ["m.room.power_levels", "", "$pl"]
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("federation-cli-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Resolve_prints_the_resolved_state_sorted_by_type_then_state_key()
    {
        var file = Write($$"""
            {"room_version": "10", "comment": "ignored", "events": {{Events}},
             "state_sets": [[{{Base}}, ["m.room.topic", "", "$ta"]], [{{Base}}, ["m.room.topic", "", "$tb"]]]}
            """);
        var (code, output, error) = await Run("resolve", file);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal(
            """
            {"state": [
              ["m.room.create", "", "$create"],
              ["m.room.join_rules", "", "$jr"],
              ["m.room.member", "@alice:x", "$ima"],
              ["m.room.member", "@bob:x", "$imb"],
              ["m.room.power_levels", "", "$pl"],
              ["m.room.topic", "", "$ta"]
            ]}

            """.ReplaceLineEndings("\n"),
            output);
    }

    [Theory]
    [InlineData(new[] { "--at", "$tb", "--after" }, "$tb")]
    [InlineData(new[] { "--at", "$tb", "--after", "--trust-dag" }, "$tb")]
    [InlineData(new[] { "--at", "$end" }, "$ta")]
    [InlineData(new[] { "--at", "$end", "--trust-dag" }, "$ta")]
    [InlineData(new[] { "--at", "$ta" }, null)]
    public async Task State_prints_the_state_before_or_after_an_event(string[] options, string? topic)
    {
        var file = Write($$"""{"room_version": "10", "events": {{Events}}}""");
        var (code, output, _) = await Run(["state", file, .. options]);
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var entries = json.RootElement.GetProperty("state").EnumerateArray().ToList();
        var topicEntry = entries.FirstOrDefault(e => e[0].GetString() == "m.room.topic");
        var tbRejected = options.Contains("--after") && !options.Contains("--trust-dag");
        Assert.Equal(tbRejected ? null : topic, topicEntry.ValueKind == JsonValueKind.Undefined ? null : topicEntry[2].GetString());
    }

    [Fact]
    public async Task Events_without_auth_events_get_them_from_the_state_before_them()
    {
        var file = Write($$"""{"room_version": "10", "events": {{Events}}}""");
        var (code, output, _) = await Run("state", file, "--at", "$imb", "--after");
        Assert.Equal(0, code);
        Assert.Contains("""["m.room.member", "@bob:x", "$imb"]""", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_prints_one_json_line_to_stderr_after_the_result()
    {
        var file = Write($$"""{"room_version": "10", "events": {{Events}}}""");
        var (code, output, error) = await Run("state", file, "--at", "$end", "--trust-dag", "--stats", "--repeat", "3");
        Assert.Equal(0, code);
        Assert.StartsWith("{\"state\": [", output, StringComparison.Ordinal);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var stats = JsonDocument.Parse(line);
        Assert.Equal(3, stats.RootElement.GetProperty("repeat").GetInt32());
        Assert.Equal(3, stats.RootElement.GetProperty("resolutions").GetInt32());
        Assert.True(stats.RootElement.GetProperty("wall_ms").GetDouble() >= 0);
        Assert.True(stats.RootElement.GetProperty("peak_working_set_bytes").GetInt64() > 0);
    }

    [Fact]
    public async Task An_unknown_room_version_is_refused_with_exit_code_1()
    {
        var file = Write("""{"room_version": "99", "events": [], "state_sets": []}""");
        var (code, output, error) = await Run("resolve", file);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("unknown room version '99'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_set_naming_a_missing_event_is_refused_naming_the_event()
    {
        var file = Write($$"""{"room_version": "10", "events": {{Events}}, "state_sets": [[["m.room.topic", "", "$nope"]]]}""");
        var (code, _, error) = await Run("resolve", file);
        Assert.Equal(1, code);
        Assert.Contains("$nope", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_at_event_or_missing_prev_event_is_refused_naming_the_event()
    {
        var file = Write($$"""{"room_version": "10", "events": {{Events}}}""");
        var (code, _, error) = await Run("state", file, "--at", "$nope");
        Assert.Equal(1, code);
        Assert.Contains("$nope", error, StringComparison.Ordinal);

        var broken = Write("""
            {"room_version": "10", "events": [
              {"event_id": "$a", "room_id": "!r:x", "type": "m.room.message", "sender": "@alice:x", "content": {}, "prev_events": ["$gone"], "auth_events": [], "origin_server_ts": 1, "depth": 1}]}
            """);
        (code, _, error) = await Run("state", broken, "--at", "$a");
        Assert.Equal(1, code);
        Assert.Contains("$gone", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_and_malformed_events_are_refused_with_exit_code_1()
    {
        var (code, _, error) = await Run("resolve", Write("{\"room_version\": "));
        Assert.Equal(1, code);
        Assert.Contains("not valid JSON", error, StringComparison.Ordinal);

        var noSender = Write("""
            {"room_version": "10", "events": [
              {"event_id": "$bad", "room_id": "!r:x", "type": "m.room.message", "content": {}, "prev_events": [], "auth_events": [], "origin_server_ts": 1, "depth": 1}],
             "state_sets": []}
            """);
        (code, _, error) = await Run("resolve", noSender);
        Assert.Equal(1, code);
        Assert.Contains("$bad", error, StringComparison.Ordinal);
        Assert.Contains("sender", error, StringComparison.Ordinal);

        (code, _, error) = await Run("resolve", Path.Combine(_dir, "missing.json"));
        Assert.Equal(1, code);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("merge x.json")]
    [InlineData("state x.json")]
    [InlineData("resolve")]
    [InlineData("resolve x.json --repeat 0")]
    [InlineData("resolve x.json --at $x")]
    public async Task Usage_errors_exit_with_code_2(string commandLine)
    {
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (code, output, error) = await Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_describes_the_derivation_of_missing_auth_events()
    {
        var (code, output, _) = await Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("WITHOUT an \"auth_events\" key", output, StringComparison.Ordinal);
    }
}
