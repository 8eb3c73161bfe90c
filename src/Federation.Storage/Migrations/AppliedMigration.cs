namespace Federation.Storage.Migrations;

/// <summary>A row of <c>schema_migrations</c>: a migration the database has already applied.</summary>
/// <param name="Version">The migration's number.</param>
/// <param name="Name">The file name (without <c>.sql</c>) it was applied from.</param>
/// <param name="Checksum">The SHA-256 of the file when applied; compared with the file now to detect edits.</param>
/// <param name="AppliedAt">When it was applied.</param>
public sealed record AppliedMigration(long Version, string Name, string Checksum, DateTimeOffset AppliedAt);
