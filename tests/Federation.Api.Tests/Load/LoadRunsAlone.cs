namespace Federation.Api.Tests.Load;

/// <summary>
/// The load test runs on its own, after the other test classes: its memory figures are sampled over the whole test
/// process, and its throughput figures mean something only when it does not share the cores with other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadRunsAlone
{
    public const string Name = "Load";
}
