using Federation.Local.Accounts;

namespace Federation.Local.Tests.Accounts;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Verify_accepts_the_password_and_refuses_others_and_malformed_hashes()
    {
        var hash = PasswordHasher.Hash("correct horse", 1000);

        Assert.StartsWith("pbkdf2-sha256$1000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("correct horse", hash));
        Assert.False(PasswordHasher.Verify("correct horsE", hash));
        Assert.False(PasswordHasher.Verify("correct horse", "pbkdf2-sha256$x$y$z"));
        Assert.False(PasswordHasher.Verify("correct horse", "plain"));
    }

    [Fact]
    public void Hash_salts_each_hash()
    {
        Assert.NotEqual(PasswordHasher.Hash("same", 1000), PasswordHasher.Hash("same", 1000));
    }
}
