using System.ComponentModel.DataAnnotations;

namespace Federation.Api.Server;

/// <summary>Who this server is and how it publishes its keys. Bound from the <c>Server</c> configuration section.</summary>
public sealed class ServerOptions
{
    public const string SectionName = "Server";

    /// <summary>The server name other servers know us by (<c>example.org</c> or <c>example.org:8448</c>). Required.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServerName { get; set; } = "";

    /// <summary>
    /// The signing key file (<c>ed25519 &lt;version&gt; &lt;seed&gt;</c>, the format Synapse uses). Created with a new
    /// random key on first start when missing. Default <c>data/signing.key</c>, relative to the content root.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string SigningKeyPath { get; set; } = "data/signing.key";

    /// <summary>
    /// How long other servers may cache our published keys (<c>valid_until_ts</c> = now + this). Default 1 day, as
    /// Synapse publishes; at least 1 hour, at most 7 days (receivers cap validity at 7 days anyway).
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "7.00:00:00")]
    public TimeSpan KeyValidityPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Allow plain-HTTP listeners on non-loopback addresses, for deployments where a TLS-terminating reverse proxy
    /// forwards to this server (containers). Default false: such a listener stops the server at start.
    /// </summary>
    public bool AllowPlainHttp { get; set; }
}
