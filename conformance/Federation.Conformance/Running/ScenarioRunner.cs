using Federation.Conformance.Remotes;
using Federation.Conformance.Scenarios;
using Federation.Conformance.Target;

namespace Federation.Conformance.Running;

/// <summary>Runs one scenario against the target with the remotes of the pool, and turns what happens into a result.</summary>
public sealed class ScenarioRunner(TargetServer target, ClientApi client, RemotePool pool, bool targetIsOwnServer, TimeProvider time)
{
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromSeconds(90);

    public async Task<ScenarioResult> RunAsync(Scenario scenario, string suite)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var started = time.GetTimestamp();
        ScenarioResult Result(ScenarioStatus status, string reason) =>
            new(scenario.Name, suite, status, reason, scenario.Spec, time.GetElapsedTime(started), scenario.Json["known_bug"]?.GetValue<string>());

        if (targetIsOwnServer && scenario.SkipOnOwnServer is { } skip)
        {
            return Result(ScenarioStatus.Skipped, skip);
        }

        using var timeout = new CancellationTokenSource(ScenarioTimeout);
        var context = new ScenarioContext(scenario, target, client, time, timeout.Token);
        try
        {
            var events = new EventFactory(context);
            var executor = new StepExecutor(context, events, new ExpectationChecker(context));
            foreach (var (alias, settings) in scenario.Remotes)
            {
                var remote = pool.For(scenario, alias);
                remote.Reset();
                remote.Keys = settings["keys"]?.GetValue<string>() switch
                {
                    null or "valid" => PublishedKeys.Valid,
                    "missing" => PublishedKeys.Missing,
                    "bad-self-signature" => PublishedKeys.BadSelfSignature,
                    "other-server-name" => PublishedKeys.OtherServerName,
                    var other => throw new FormatException($"unknown keys \"{other}\""),
                };
                context.Remotes[alias] = remote;
                remote.Responder = executor.Responder(alias);
            }

            await RoomPreparation.PrepareAsync(context).ConfigureAwait(false);
            await executor.RunAsync().ConfigureAwait(false);
            return Result(ScenarioStatus.Passed, "");
        }
        catch (MissingEndpointException e)
        {
            return Result(ScenarioStatus.Skipped, e.Message);
        }
        catch (ScenarioFailedException e)
        {
            return Result(ScenarioStatus.Failed, Known(scenario, e.Message));
        }
        catch (FormatException e)
        {
            return Result(ScenarioStatus.Failed, $"scenario file: {e.Message}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Result(ScenarioStatus.Failed, Known(scenario, $"did not finish within {ScenarioTimeout.TotalSeconds:0}s"));
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or System.Text.Json.JsonException
            or Federation.StateResolution.StateResolutionException or Federation.Protocol.Events.PduFormatException)
        {
            return Result(ScenarioStatus.Failed, Known(scenario, $"{e.GetType().Name}: {e.Message}"));
        }
    }

    private static string Known(Scenario scenario, string reason) =>
        scenario.Json["known_bug"]?.GetValue<string>() is { } bug ? $"known server bug ({bug}): {reason}" : reason;
}
