namespace Federation.Conformance.Running;

/// <summary>
/// The outcome of one scenario: what it checks (<paramref name="Spec"/>), why it failed or was skipped, and, for a
/// scenario that documents a known bug of our server, that bug (<paramref name="KnownBug"/>).
/// </summary>
public sealed record ScenarioResult(string Name, string Suite, ScenarioStatus Status, string Reason, string Spec, TimeSpan Duration, string? KnownBug = null)
{
    /// <summary>The console line: status, name, reason, spec section.</summary>
    public string ToLine()
    {
        var status = Status switch
        {
            ScenarioStatus.Passed => "pass",
            ScenarioStatus.Failed => "FAIL",
            _ => "skipped",
        };
        var reason = Reason.Length == 0 ? "" : $" — {Reason.ReplaceLineEndings(" ")}";
        return $"{status,-7} {Suite}/{Name} [{Spec}]{reason} ({Duration.TotalSeconds:0.0}s)";
    }
}
