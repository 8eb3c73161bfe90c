namespace Federation.Storage.Postgres;

/// <summary>What a finished child process reported, kept whole so failures can quote it.</summary>
internal sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    public string CombinedOutput => (StandardOutput + Environment.NewLine + StandardError).Trim();
}
