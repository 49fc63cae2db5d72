using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vault.Testing.OnePassword;

/// <summary>
/// A throw-away CA made in-process, and a server certificate for 127.0.0.1 / localhost signed by it, so fake servers
/// speak real HTTPS that both the C# client (private CA trust) and Node (NODE_EXTRA_CA_CERTS) accept.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _ca;

    public TestCertificateAuthority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Vault Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        _ca = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
        CaPem = _ca.ExportCertificatePem();
        CaPemPath = Path.Combine(Path.GetTempPath(), $"vault-test-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CaPemPath, CaPem);
    }

    public string CaPem { get; }

    /// <summary>The CA as a PEM file (for NODE_EXTRA_CA_CERTS).</summary>
    public string CaPemPath { get; }

    /// <summary>A server certificate (with private key) for 127.0.0.1, ::1 and localhost.</summary>
    public X509Certificate2 IssueServerCertificate() => IssueServerCertificate([]);

    /// <summary>A server certificate for 127.0.0.1, ::1, localhost and <paramref name="dnsNames"/> (ASCII; IDN as punycode).</summary>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string> dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(_ca, now.AddHours(-1), now.AddDays(6), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Re-import so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            File.Delete(CaPemPath);
        }
        catch (IOException)
        {
        }
    }
}
