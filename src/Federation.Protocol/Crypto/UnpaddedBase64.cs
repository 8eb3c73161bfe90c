using System.Buffers.Text;

namespace Federation.Protocol.Crypto;

/// <summary>
/// Matrix's base64: the standard alphabet without padding for keys, signatures and hashes, and the URL-safe
/// alphabet for event ids of room versions 4 and later. Decoding accepts padded input too, as the spec allows.
/// </summary>
public static class UnpaddedBase64
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    public static string EncodeUrlSafe(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>Decodes standard-alphabet base64, padded or not.</summary>
    /// <exception cref="FormatException">The text is not base64.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryDecode(text, out var bytes))
        {
            return bytes;
        }

        throw new FormatException("Invalid base64: expected the standard alphabet, optionally padded");
    }

    /// <summary>Decodes standard-alphabet base64, padded or not, without throwing.</summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null)
        {
            return false;
        }

        var unpadded = text.AsSpan().TrimEnd('=');
        if (unpadded.Length % 4 == 1 || text.Length - unpadded.Length > 2)
        {
            return false;
        }

        var padded = new char[(unpadded.Length + 3) / 4 * 4];
        unpadded.CopyTo(padded);
        padded.AsSpan(unpadded.Length).Fill('=');
        var result = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(padded, result, out var written))
        {
            return false;
        }

        bytes = result.AsSpan(0, written).ToArray();
        return true;
    }
}
