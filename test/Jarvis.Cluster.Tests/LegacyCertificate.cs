using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Jarvis.Node;

namespace Jarvis.Cluster.Tests;

/// <summary>
/// Node certificates as <c>jarvis cert issue</c> made them before node names were bound to certificates: signed
/// by the cluster's own authority, but naming localhost and 127.0.0.1 besides the node.
/// </summary>
internal static class LegacyCertificate
{
    /// <summary>Writes <c>NAME.crt</c> and <c>NAME.key</c> into <paramref name="directory"/>, signed by the authority in <paramref name="authorityDirectory"/>.</summary>
    public static void Issue(string authorityDirectory, string directory, string name)
    {
        using var authority = X509Certificate2.CreateFromPemFile(
            Path.Combine(authorityDirectory, ClusterCertificates.AuthorityCertificateFile),
            Path.Combine(authorityDirectory, ClusterCertificates.AuthorityKeyFile));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Jarvis", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(authority, now.AddMinutes(-5), now.AddDays(30), RandomNumberGenerator.GetBytes(16).Select((b, i) => i == 0 ? (byte)(b & 0x7F) : b).ToArray());
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ClusterCertificates.CertificateExtension), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, name + ClusterCertificates.KeyExtension), key.ExportPkcs8PrivateKeyPem());
        File.Copy(Path.Combine(authorityDirectory, ClusterCertificates.AuthorityCertificateFile), Path.Combine(directory, ClusterCertificates.AuthorityCertificateFile), overwrite: true);
    }
}
