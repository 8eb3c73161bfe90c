using System.Security.Cryptography;
using System.Text;

namespace Federation.Local.Accounts;

/// <summary>Random access tokens and device ids; tokens are kept in the database only as their SHA-256.</summary>
public static class AccessTokens
{
    private const string DeviceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>A new token: a recognisable prefix and 32 random bytes in URL-safe base64.</summary>
    public static string NewToken() => "fed_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A new device id: ten random capital letters, as Synapse makes them.</summary>
    public static string NewDeviceId() => RandomNumberGenerator.GetString(DeviceAlphabet, 10);

    /// <summary>What is stored and looked up for a token.</summary>
    public static byte[] Digest(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }
}
