using System.Security.Cryptography;
using Federation.Protocol.Keys;

namespace Federation.Host.Keys;

/// <summary>Loads the server's signing key from its file, creating a new key there on first start.</summary>
public static class SigningKeyFile
{
    public static SigningKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            try
            {
                return SigningKey.Parse(File.ReadAllText(path));
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"The signing key file '{path}' is malformed: {e.Message}", e);
            }
        }

        var key = SigningKey.Generate("a_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 4));
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // Written to a temporary file first so that a crash never leaves a half-written key behind.
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.WriteLine(key.ToKeyFileLine());
        }

        File.Move(temporary, path, overwrite: false);
        return key;
    }
}
