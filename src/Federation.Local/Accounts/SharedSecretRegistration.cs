using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Federation.Protocol.Errors;
using Microsoft.Extensions.Options;

namespace Federation.Local.Accounts;

/// <summary>
/// Synapse's shared-secret registration, which admin tools and test harnesses of other homeservers use: the caller
/// gets a single-use nonce, then proves it knows the secret with an HMAC-SHA1 (hex) over
/// <c>nonce \0 username \0 password \0 admin|notadmin</c> (and <c>\0 user_type</c> when it sends one).
/// </summary>
public sealed partial class SharedSecretRegistration(LocalAccountStore accounts, IOptions<LocalUsersOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nonces = new(StringComparer.Ordinal);

    /// <summary>Whether a shared secret is configured.</summary>
    public bool IsEnabled => !string.IsNullOrEmpty(options.Value.RegistrationSharedSecret);

    /// <summary>A new single-use nonce; <c>403 M_FORBIDDEN</c> when registration is disabled.</summary>
    public string NewNonce()
    {
        EnsureEnabled();
        var now = time.GetUtcNow();
        foreach (var (expired, _) in _nonces.Where(n => n.Value <= now))
        {
            _nonces.TryRemove(expired, out _);
        }

        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _nonces[nonce] = now + options.Value.RegistrationNonceLifetime;
        return nonce;
    }

    /// <summary>Registers a user when the nonce is live and the MAC proves the secret.</summary>
    public async Task<Registration> RegisterAsync(
        string nonce, string username, string password, bool admin, string? userType, string mac, CancellationToken cancellationToken)
    {
        EnsureEnabled();
        if (!_nonces.TryRemove(nonce, out var expires) || expires <= time.GetUtcNow())
        {
            throw new MatrixException(ErrorCode.Unknown, "Unrecognised nonce", 400);
        }

        var message = new StringBuilder().Append(nonce).Append('\0').Append(username).Append('\0').Append(password).Append('\0')
            .Append(admin ? "admin" : "notadmin");
        if (userType is not null)
        {
            message.Append('\0').Append(userType);
        }

        // HMAC-SHA1 is what the registration protocol of Synapse (and the tools using it) defines; it is not our choice.
#pragma warning disable CA5350
        var expected = HMACSHA1.HashData(Encoding.UTF8.GetBytes(options.Value.RegistrationSharedSecret!), Encoding.UTF8.GetBytes(message.ToString()));
#pragma warning restore CA5350
        byte[] given;
        try
        {
            given = Convert.FromHexString(mac);
        }
        catch (FormatException)
        {
            given = [];
        }

        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            throw new MatrixException(ErrorCode.Forbidden, "HMAC incorrect", 403);
        }

        var localpart = username.ToLowerInvariant();
        if (!LocalpartPattern().IsMatch(localpart))
        {
            throw new MatrixException(ClientErrorCodes.InvalidUsername, "User ID can only contain characters a-z, 0-9, or '=_-./+'");
        }

        if (string.IsNullOrEmpty(password))
        {
            throw new MatrixException(ErrorCode.InvalidParam, "A password is required");
        }

        return await accounts.CreateUserAsync(localpart, password, admin, cancellationToken).ConfigureAwait(false);
    }

    private void EnsureEnabled()
    {
        if (!IsEnabled)
        {
            throw new MatrixException(ErrorCode.Forbidden, "Registration is disabled on this server", 403);
        }
    }

    [GeneratedRegex("^[a-z0-9._=/+-]{1,200}$")]
    private static partial Regex LocalpartPattern();
}
