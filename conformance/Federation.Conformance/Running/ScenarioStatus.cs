namespace Federation.Conformance.Running;

public enum ScenarioStatus
{
    Passed,
    Failed,
    Skipped,
}
