using System.ComponentModel.DataAnnotations;

namespace Federation.Local.Accounts;

/// <summary>Local users and how they register. Bound from the <c>LocalUsers</c> configuration section.</summary>
public sealed class LocalUsersOptions
{
    public const string SectionName = "LocalUsers";

    /// <summary>
    /// The shared secret of Synapse-style registration (<c>/_synapse/admin/v1/register</c>): whoever knows it may create
    /// users. Default none: registration is disabled and answers <c>403 M_FORBIDDEN</c>.
    /// </summary>
    public string? RegistrationSharedSecret { get; set; }

    /// <summary>
    /// PBKDF2-SHA256 iterations of new password hashes. Default 600,000 (OWASP's figure for PBKDF2-SHA256); 1,000 to
    /// 10,000,000. Stored with each hash, so changing it does not invalidate existing passwords.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int PasswordHashIterations { get; set; } = 600_000;

    /// <summary>How long a registration nonce may be used. Default 60 seconds, as Synapse; 1 second to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RegistrationNonceLifetime { get; set; } = TimeSpan.FromSeconds(60);
}
