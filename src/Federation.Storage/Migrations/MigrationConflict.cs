namespace Federation.Storage.Migrations;

/// <summary>One disagreement between the database's recorded migrations and the files.</summary>
/// <param name="Reason">What kind of disagreement.</param>
/// <param name="Version">The migration number concerned.</param>
/// <param name="FileName">The migration's file name (from the directory, or as recorded when the file is gone).</param>
/// <param name="Description">A sentence for operators saying what is wrong and what to do.</param>
public sealed record MigrationConflict(MigrationConflictReason Reason, long Version, string FileName, string Description);
