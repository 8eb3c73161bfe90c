using System.Text.Json;

namespace Federation.Resync.Recovery;

/// <summary>Reads and writes the manifest file. A write replaces the file atomically, so a crash mid-write leaves the
/// previous manifest, never a torn one.</summary>
public static class RecoveryManifestFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <returns>The manifest, or null when there is no file.</returns>
    /// <exception cref="InvalidDataException">The file exists but is not a manifest.</exception>
    public static async Task<RecoveryManifest?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync<RecoveryManifest>(stream, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{path} holds no recovery manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a recovery manifest: {e.Message}", e);
        }
    }

    public static async Task WriteAsync(string path, RecoveryManifest manifest, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                await JsonSerializer.SerializeAsync(stream, manifest, Json, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
