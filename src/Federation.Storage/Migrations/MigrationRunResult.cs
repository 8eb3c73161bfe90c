namespace Federation.Storage.Migrations;

/// <summary>What one <see cref="MigrationRunner.MigrateAsync"/> call did, for the host to log.</summary>
/// <param name="Applied">The migrations this call applied, in order; empty when the schema was already current.</param>
/// <param name="AlreadyAppliedCount">How many migrations were already applied before this call.</param>
public sealed record MigrationRunResult(IReadOnlyList<MigrationScript> Applied, int AlreadyAppliedCount);
