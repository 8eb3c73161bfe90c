using System.Text;

namespace Federation.Storage.Postgres;

/// <summary>Reads what the server logged since a given point, so a failure shows this attempt's lines, not old ones.</summary>
internal static class ServerLogReader
{
    private const int MaxLines = 40;

    public static long CurrentLength(string logFile) => File.Exists(logFile) ? new FileInfo(logFile).Length : 0;

    public static string ReadTailSince(string logFile, long offset)
    {
        if (!File.Exists(logFile))
        {
            return string.Empty;
        }

        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(Environment.NewLine, lines.TakeLast(MaxLines));
        }
        catch (IOException exception)
        {
            return $"(could not read {logFile}: {exception.Message})";
        }
        catch (UnauthorizedAccessException exception)
        {
            return $"(could not read {logFile}: {exception.Message})";
        }
    }
}
