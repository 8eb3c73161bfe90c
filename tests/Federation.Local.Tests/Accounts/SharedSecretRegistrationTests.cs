using System.Security.Cryptography;
using System.Text;
using Federation.Local.Accounts;
using Federation.Protocol.Errors;
using Federation.Testing.Postgres;

namespace Federation.Local.Tests.Accounts;

public sealed class SharedSecretRegistrationTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static string Mac(string nonce, string user, string password) =>
#pragma warning disable CA5350 // The registration protocol defines HMAC-SHA1.
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes("a-test-registration-secret"), Encoding.UTF8.GetBytes($"{nonce}\0{user}\0{password}\0notadmin")));
#pragma warning restore CA5350

    [Fact]
    public async Task RegisterAsync_creates_a_user_whose_token_finds_it_and_whose_password_checks()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "reg.test");
        var registration = harness.Get<SharedSecretRegistration>();
        var nonce = registration.NewNonce();

        var result = await registration.RegisterAsync(nonce, "Carol", "pw", admin: false, userType: null, Mac(nonce, "Carol", "pw"), CancellationToken.None);
        var accounts = harness.Get<LocalAccountStore>();

        Assert.Equal("@carol:reg.test", result.UserId);
        Assert.Equal(new LocalUser("@carol:reg.test", result.DeviceId, false), await accounts.FindByTokenAsync(result.AccessToken, CancellationToken.None));
        Assert.True(await accounts.CheckPasswordAsync("@carol:reg.test", "pw", CancellationToken.None));
        Assert.False(await accounts.CheckPasswordAsync("@carol:reg.test", "PW", CancellationToken.None));
    }

    [Fact]
    public async Task RegisterAsync_with_an_expired_nonce_is_refused()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "reg2.test");
        var registration = harness.Get<SharedSecretRegistration>();
        var nonce = registration.NewNonce();
        harness.Time.Advance(TimeSpan.FromSeconds(61));

        var error = await Assert.ThrowsAsync<MatrixException>(() =>
            registration.RegisterAsync(nonce, "dave", "pw", admin: false, userType: null, Mac(nonce, "dave", "pw"), CancellationToken.None));

        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task RegisterAsync_refuses_invalid_localparts()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "reg3.test");
        var registration = harness.Get<SharedSecretRegistration>();
        var nonce = registration.NewNonce();

        var error = await Assert.ThrowsAsync<MatrixException>(() =>
            registration.RegisterAsync(nonce, "bad name", "pw", admin: false, userType: null, Mac(nonce, "bad name", "pw"), CancellationToken.None));

        Assert.Equal(ClientErrorCodes.InvalidUsername, error.ErrorCode);
    }
}
