using Federation.Protocol.Errors;
using Federation.Protocol.Keys;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Federation.Local.Accounts;

/// <summary>Local users, their password hashes and their devices' access tokens, in Postgres (migration 0019).</summary>
public sealed class LocalAccountStore(NpgsqlDataSource dataSource, ServerIdentity identity, IOptions<LocalUsersOptions> options, TimeProvider time)
{
    private const string InsertUserSql =
        "INSERT INTO local_users (user_id, password_hash, admin, created_ts) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING";

    private const string InsertTokenSql =
        "INSERT INTO local_access_tokens (token_sha256, user_id, device_id, created_ts) VALUES ($1, $2, $3, $4)";

    private const string SelectByTokenSql =
        """
        SELECT t.user_id, t.device_id, u.admin FROM local_access_tokens t JOIN local_users u USING (user_id)
        WHERE t.token_sha256 = $1
        """;

    private const string SelectPasswordSql = "SELECT password_hash FROM local_users WHERE user_id = $1";

    /// <summary>The full user id of <paramref name="localpart"/> on this server.</summary>
    public string UserIdOf(string localpart) => $"@{localpart}:{identity.ServerName}";

    /// <summary>Creates a user and a first device; <c>400 M_USER_IN_USE</c> when the id is taken.</summary>
    public async Task<Registration> CreateUserAsync(string localpart, string password, bool admin, CancellationToken cancellationToken)
    {
        var userId = UserIdOf(localpart);
        var hash = PasswordHasher.Hash(password, options.Value.PasswordHashIterations);
        await using (var command = dataSource.CreateCommand(InsertUserSql))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hash });
            command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = admin });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Now() });
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new MatrixException(ClientErrorCodes.UserInUse, "User ID already taken.");
            }
        }

        return await CreateDeviceAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new device with a new token for an existing user (a login).</summary>
    public async Task<Registration> CreateDeviceAsync(string userId, CancellationToken cancellationToken)
    {
        var token = AccessTokens.NewToken();
        var deviceId = AccessTokens.NewDeviceId();
        await using var command = dataSource.CreateCommand(InsertTokenSql);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = AccessTokens.Digest(token) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = deviceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Now() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new Registration(userId, token, deviceId);
    }

    /// <summary>The user an access token belongs to, or null for an unknown token.</summary>
    public async Task<LocalUser?> FindByTokenAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await using var command = dataSource.CreateCommand(SelectByTokenSql);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = AccessTokens.Digest(token) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new LocalUser(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2))
            : null;
    }

    /// <summary>Whether <paramref name="userId"/> exists and <paramref name="password"/> is its password.</summary>
    public async Task<bool> CheckPasswordAsync(string userId, string password, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SelectPasswordSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
        var stored = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        return stored is not null && PasswordHasher.Verify(password, stored);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
