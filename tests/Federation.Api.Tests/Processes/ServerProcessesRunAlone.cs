namespace Federation.Api.Tests.Processes;

/// <summary>
/// The tests that run our server as child processes, run on their own after the others: each process starts a whole
/// server on two cores, and their deadlines are meant for a busy machine, not for one shared with every other test class.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerProcessesRunAlone
{
    public const string Name = "Server processes";
}
