namespace Federation.Testing.Postgres;

/// <summary>
/// A fresh directory under the system temp directory, deleted on dispose. Created world-enterable (not 0700 like
/// <see cref="Directory.CreateTempSubdirectory(string?)"/>) because, when tests run as root, the embedded cluster
/// inside it runs as the <c>postgres</c> user, which must be able to enter it.
/// </summary>
public sealed class TemporaryDirectory : IDisposable
{
    /// <summary>Creates the directory, named with <paramref name="purpose"/> to help find leftovers.</summary>
    public TemporaryDirectory(string purpose)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"federation-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(
                Path,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }

    /// <summary>Absolute path of the directory.</summary>
    public string Path { get; }

    /// <summary>Writes <paramref name="contents"/> to a file in the directory and returns its path.</summary>
    public string WriteFile(string fileName, string contents)
    {
        var file = System.IO.Path.Combine(Path, fileName);
        File.WriteAllText(file, contents);
        return file;
    }

    /// <summary>Deletes the directory and everything in it; a leftover temp directory is not worth failing a test for.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
