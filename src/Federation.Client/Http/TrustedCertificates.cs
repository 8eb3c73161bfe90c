using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Federation.Client.Http;

/// <summary>TLS validation that also trusts one extra certificate authority (a private CA for tests or closed federations).</summary>
internal static class TrustedCertificates
{
    public static RemoteCertificateValidationCallback? CallbackFor(string? caCertificatePath)
    {
        if (string.IsNullOrEmpty(caCertificatePath))
        {
            return null;
        }

        var authority = X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                // A name mismatch or a missing certificate is never excused by the extra authority.
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }
}
