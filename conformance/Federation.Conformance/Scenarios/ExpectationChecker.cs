using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Conformance.Remotes;
using Federation.Conformance.Running;

namespace Federation.Conformance.Scenarios;

/// <summary>
/// Compares what the target did with what a scenario expects (README "Expectations"): responses of its endpoints,
/// its room state and forward extremities and the events it shows (through the client API), and the requests it made
/// to the remotes. Event lists are compared as sets of ids, and messages name events by their scenario names.
/// </summary>
public sealed class ExpectationChecker(ScenarioContext context)
{
    public async Task ResponseAsync(HttpResponseMessage response, JsonObject expect)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(expect);
        var text = await response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";
        if (expect["status"]?.GetValue<int>() is { } expectedStatus && expectedStatus != status)
        {
            throw new ScenarioFailedException($"{what} answered {status}, expected {expectedStatus}: {Shorten(text)}");
        }

        JsonNode? body;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (expect["errcode"]?.GetValue<string>() is { } errcode && body?["errcode"]?.GetValue<string>() != errcode)
        {
            throw new ScenarioFailedException($"{what} answered errcode {body?["errcode"]?.ToJsonString() ?? "none"}, expected {errcode}: {Shorten(text)}");
        }

        var problems = new List<string>();
        foreach (var (field, names) in expect["ids"] as JsonObject ?? [])
        {
            var actual = ResponseEvents.Ids(body?[field], context.Version);
            var expected = context.Ids(names);
            if (!actual.ToHashSet(StringComparer.Ordinal).SetEquals(expected))
            {
                problems.Add($"{field} is {context.DescribeAll(actual)}, expected {context.DescribeAll(expected)}");
            }
        }

        foreach (var (field, names) in expect["order"] as JsonObject ?? [])
        {
            var actual = ResponseEvents.Ids(body?[field], context.Version);
            var expected = context.Ids(names);
            if (!actual.SequenceEqual(expected, StringComparer.Ordinal))
            {
                problems.Add($"{field} is in order [{string.Join(", ", actual.Select(context.Describe))}], expected [{string.Join(", ", expected.Select(context.Describe))}]");
            }
        }

        foreach (var (field, names) in expect["contains"] as JsonObject ?? [])
        {
            var actual = ResponseEvents.Ids(body?[field], context.Version);
            var missing = context.Ids(names).Except(actual).ToArray();
            if (missing.Length > 0)
            {
                problems.Add($"{field} lacks {context.DescribeAll(missing)} (has {context.DescribeAll(actual)})");
            }
        }

        foreach (var (field, names) in expect["lacks"] as JsonObject ?? [])
        {
            var extra = context.Ids(names).Intersect(ResponseEvents.Ids(body?[field], context.Version)).ToArray();
            if (extra.Length > 0)
            {
                problems.Add($"{field} holds {context.DescribeAll(extra)}, which it must not");
            }
        }

        CheckRedaction(expect["redacted"] as JsonObject, body, redacted: true, problems);
        CheckRedaction(expect["intact"] as JsonObject, body, redacted: false, problems);
        CheckPduResults(expect["pdu_results"] as JsonObject, body, problems);
        if (problems.Count > 0)
        {
            throw new ScenarioFailedException($"{what}: {string.Join("; ", problems)} (answer: {Shorten(text)})");
        }
    }

    public async Task<string?> StateProblemAsync(JsonObject expect)
    {
        ArgumentNullException.ThrowIfNull(expect);
        var state = await context.Client.StateAsync(context.RoomId, context.CancellationToken).ConfigureAwait(false);
        var entries = state.Select(e => (Type: e!["type"]!.GetValue<string>(), Key: e["state_key"]!.GetValue<string>(), Id: e["event_id"]!.GetValue<string>())).ToList();
        var problems = new List<string>();
        foreach (var entry in (expect["contains"] as JsonArray ?? []).Select(e => e!.AsArray()))
        {
            var (type, key, id) = (context.Substitute(entry[0]!.GetValue<string>()), context.Substitute(entry[1]!.GetValue<string>()), context.Id(entry[2]!.GetValue<string>()));
            var actual = entries.FirstOrDefault(e => e.Type == type && e.Key == key).Id;
            if (actual != id)
            {
                problems.Add($"({type}, '{key}') is {(actual is null ? "absent" : context.Describe(actual))}, expected {context.Describe(id)}");
            }
        }

        foreach (var entry in (expect["absent_keys"] as JsonArray ?? []).Select(e => e!.AsArray()))
        {
            var (type, key) = (context.Substitute(entry[0]!.GetValue<string>()), context.Substitute(entry[1]!.GetValue<string>()));
            if (entries.FirstOrDefault(e => e.Type == type && e.Key == key).Id is { } present)
            {
                problems.Add($"({type}, '{key}') is {context.Describe(present)}, expected absent");
            }
        }

        var lacking = context.Ids(expect["lacks_events"]).Intersect(entries.Select(e => e.Id)).ToArray();
        if (lacking.Length > 0)
        {
            problems.Add($"state holds {context.DescribeAll(lacking)}, which it must not");
        }

        return problems.Count == 0 ? null : "room state: " + string.Join("; ", problems);
    }

    public async Task<string?> ExtremitiesProblemAsync(IReadOnlyList<string> expected)
    {
        var actual = await context.Client.ExtremitiesAsync(context.RoomId, context.CancellationToken).ConfigureAwait(false);
        return actual.ToHashSet(StringComparer.Ordinal).SetEquals(expected)
            ? null
            : $"forward extremities are {context.DescribeAll(actual)}, expected {context.DescribeAll(expected)}";
    }

    public async Task<string?> EventsProblemAsync(JsonObject expect)
    {
        ArgumentNullException.ThrowIfNull(expect);
        var problems = new List<string>();
        foreach (var (key, visible) in new[] { ("visible", true), ("absent", false) })
        {
            foreach (var id in context.Ids(expect[key]))
            {
                if (await context.Client.EventVisibleAsync(context.RoomId, id, context.CancellationToken).ConfigureAwait(false) != visible)
                {
                    problems.Add($"{context.Describe(id)} is {(visible ? "not shown" : "shown")} to the target's user");
                }
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>
    /// Checks the requests the target made to a remote: <c>min</c> is waited for, <c>count</c> waited for and then
    /// required exact, <c>max</c> checked at once (put a step that proves processing finished before it).
    /// </summary>
    public async Task RequestsAsync(JsonObject expect, TimeSpan within)
    {
        ArgumentNullException.ThrowIfNull(expect);
        var remote = context.Remote(expect["remote"]?.GetValue<string>() ?? context.Remotes.Keys.First());
        var path = context.Substitute(expect["path"]?.GetValue<string>() ?? "");
        var method = expect["method"]?.GetValue<string>();
        IReadOnlyList<RecordedRequest> Matching() =>
            [.. remote.Requests.Where(r => r.Path.Contains(path, StringComparison.Ordinal) && (method is null || r.Method == method))];
        var describe = $"requests to {remote.ServerName} matching {method} {path}";
        if (expect["min"]?.GetValue<int>() is { } min)
        {
            await Polling.UntilAsync(() => Task.FromResult(Matching().Count >= min ? null : $"{describe}: {Matching().Count}, expected at least {min}"), within, context.Time,
                context.CancellationToken).ConfigureAwait(false);
        }

        if (expect["count"]?.GetValue<int>() is { } count)
        {
            await Polling.UntilAsync(() => Task.FromResult(Matching().Count >= count ? null : $"{describe}: {Matching().Count}, expected {count}"), within, context.Time,
                context.CancellationToken).ConfigureAwait(false);
            if (Matching().Count != count)
            {
                throw new ScenarioFailedException($"{describe}: {Matching().Count}, expected exactly {count}");
            }
        }

        if (expect["max"]?.GetValue<int>() is { } max && Matching().Count > max)
        {
            throw new ScenarioFailedException($"{describe}: {Matching().Count}, expected at most {max}");
        }

        var problems = new List<string>();
        foreach (var (key, names) in expect["body"] as JsonObject ?? [])
        {
            var expected = context.Ids(names);
            foreach (var request in Matching())
            {
                var actual = ResponseEvents.Ids(request.Body?[key], context.Version);
                if (!actual.ToHashSet(StringComparer.Ordinal).SetEquals(expected))
                {
                    problems.Add($"{key} was {context.DescribeAll(actual)}, expected {context.DescribeAll(expected)}");
                }
            }
        }

        foreach (var (key, names) in expect["query"] as JsonObject ?? [])
        {
            var actual = Matching().SelectMany(r => r.QueryValues(key)).ToHashSet(StringComparer.Ordinal);
            var expected = context.Ids(names);
            if (!actual.SetEquals(expected))
            {
                problems.Add($"{key} asked for {context.DescribeAll(actual)}, expected {context.DescribeAll(expected)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new ScenarioFailedException($"{describe}: {string.Join("; ", problems.Distinct(StringComparer.Ordinal))}");
        }
    }

    private void CheckRedaction(JsonObject? expect, JsonNode? body, bool redacted, List<string> problems)
    {
        foreach (var (field, names) in expect ?? [])
        {
            var pdus = ResponseEvents.Pdus(body?[field], context.Version);
            foreach (var id in context.Ids(names))
            {
                if (!pdus.TryGetValue(id, out var pdu))
                {
                    problems.Add($"{field} lacks {context.Describe(id)}");
                }
                else if ((pdu["content"]?["body"] is null) != redacted)
                {
                    problems.Add($"{context.Describe(id)} in {field} is {(redacted ? "not redacted" : "redacted")}");
                }
            }
        }
    }

    private void CheckPduResults(JsonObject? expect, JsonNode? body, List<string> problems)
    {
        if (expect is null)
        {
            return;
        }

        var results = body?["pdus"] as JsonObject ?? [];
        foreach (var id in context.Ids(expect["ok"]))
        {
            if (results[id] is not JsonObject result || result.ContainsKey("error"))
            {
                problems.Add($"pdus[{context.Describe(id)}] is {results[id]?.ToJsonString() ?? "absent"}, expected {{}}");
            }
        }

        foreach (var id in context.Ids(expect["error"]))
        {
            if (results[id]?["error"] is null)
            {
                problems.Add($"pdus[{context.Describe(id)}] is {results[id]?.ToJsonString() ?? "absent"}, expected an error");
            }
        }

        if (expect["exact"] is JsonArray exact && !results.Select(r => r.Key).ToHashSet(StringComparer.Ordinal).SetEquals(context.Ids(exact)))
        {
            problems.Add($"pdus names {context.DescribeAll(results.Select(r => r.Key))}, expected {context.DescribeAll(context.Ids(exact))}");
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
