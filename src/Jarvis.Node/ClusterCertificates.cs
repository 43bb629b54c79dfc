using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Jarvis.Node;

/// <summary>
/// Creates the certificates of a cluster: one certificate authority (<c>ca.crt</c>, <c>ca.key</c>) and,
/// signed by it, one certificate per node (<c>NAME.crt</c>, <c>NAME.key</c>), all PEM, ECDSA P-256.
/// Nodes accept a peer only if its certificate chains to <c>ca.crt</c> (custom root trust, never the
/// system store) and names exactly one node — the one it claims to be — and nothing else: a certificate
/// that also named <c>localhost</c> (as certificates issued before this rule did) would let its key join
/// under that name too.
/// </summary>
/// <remarks>Thread-safe (stateless); the files are written with owner-only permissions where the platform has them.</remarks>
public static class ClusterCertificates
{
    /// <summary>The file name of the authority's certificate.</summary>
    public const string AuthorityCertificateFile = "ca.crt";

    /// <summary>The file name of the authority's private key.</summary>
    public const string AuthorityKeyFile = "ca.key";

    /// <summary>The extension of a node's certificate file.</summary>
    public const string CertificateExtension = ".crt";

    /// <summary>The extension of a node's private key file.</summary>
    public const string KeyExtension = ".key";

    // Client and server authentication: every node is both, dialling and answering.
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>Creates a cluster certificate authority (valid 10 years) in a folder, creating the folder if needed.</summary>
    /// <param name="directory">Where <c>ca.crt</c> and <c>ca.key</c> are written.</param>
    /// <param name="clusterName">The name in the authority's subject.</param>
    /// <exception cref="IOException">The folder already holds an authority (it is never overwritten).</exception>
    public static void CreateAuthority(string directory, string clusterName = "jarvis")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        Directory.CreateDirectory(directory);
        var certificatePath = Path.Combine(directory, AuthorityCertificateFile);
        var keyPath = Path.Combine(directory, AuthorityKeyFile);
        if (File.Exists(certificatePath) || File.Exists(keyPath))
        {
            throw new IOException($"'{directory}' already holds a certificate authority; it is not overwritten.");
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={clusterName} cluster CA, O=Jarvis"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        WriteNew(keyPath, key.ExportPkcs8PrivateKeyPem());
        WriteNew(certificatePath, certificate.ExportCertificatePem());
    }

    /// <summary>
    /// Issues a node certificate (valid 1 year) signed by the authority in <paramref name="directory"/>:
    /// subject <c>CN=NAME</c>, one alternative name, DNS=NAME, usable for server and client authentication.
    /// Writes <c>NAME.crt</c> and <c>NAME.key</c>, replacing earlier ones.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a node name (<c>localhost</c> is not one).</exception>
    /// <exception cref="FileNotFoundException">The folder holds no authority.</exception>
    public static void IssueNode(string directory, string nodeName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        if (!NodeOptions.IsNodeName(nodeName))
        {
            throw new ArgumentException($"'{nodeName}' is not a node name: use 1-63 characters of a-z, 0-9 and '-', and not 'localhost'.", nameof(nodeName));
        }
        using var authority = LoadAuthority(directory, withKey: true);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={nodeName}, O=Jarvis"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid), new Oid(ClientAuthOid)], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.AddYears(1) < authority.NotAfter ? now.AddYears(1) : new DateTimeOffset(authority.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(authority, now.AddMinutes(-5), notAfter, serial);
        var keyPath = Path.Combine(directory, nodeName + KeyExtension);
        var certificatePath = Path.Combine(directory, nodeName + CertificateExtension);
        File.Delete(keyPath);
        File.Delete(certificatePath);
        WriteNew(keyPath, key.ExportPkcs8PrivateKeyPem());
        WriteNew(certificatePath, certificate.ExportCertificatePem());
    }

    /// <summary>Loads the authority's certificate (with its key when asked).</summary>
    internal static X509Certificate2 LoadAuthority(string directory, bool withKey = false)
    {
        var certificatePath = Path.Combine(directory, AuthorityCertificateFile);
        if (!File.Exists(certificatePath))
        {
            throw new FileNotFoundException($"No certificate authority in '{directory}' (create one first).", certificatePath);
        }
        return withKey
            ? X509Certificate2.CreateFromPemFile(certificatePath, Path.Combine(directory, AuthorityKeyFile))
            : X509CertificateLoader.LoadCertificateFromFile(certificatePath);
    }

    /// <summary>Loads a node's certificate with its private key, in a form TLS can use on every platform.</summary>
    internal static X509Certificate2 LoadNode(string directory, string nodeName)
    {
        using var pem = X509Certificate2.CreateFromPemFile(
            Path.Combine(directory, nodeName + CertificateExtension),
            Path.Combine(directory, nodeName + KeyExtension));
        // A PEM-loaded key is ephemeral; a PKCS#12 round trip gives SslStream a persisted one.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Checks that a peer's certificate chains to the cluster authority (custom root trust, no revocation
    /// check, usable for client or server authentication as <paramref name="asClient"/> says), names
    /// exactly one node and nothing else, and, when given, that node is <paramref name="expectedName"/>.
    /// </summary>
    /// <returns>Null when accepted, else the reason for refusing it.</returns>
    internal static string? Verify(X509Certificate2 certificate, X509Certificate2 authority, string? expectedName, bool asClient)
    {
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
        {
            return $"certificate '{certificate.Subject}' is an authority's, not a node's";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(asClient ? ClientAuthOid : ServerAuthOid));
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        if (!chain.Build(certificate))
        {
            var reasons = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
            return $"certificate '{certificate.Subject}' does not chain to the cluster CA ({string.Join("; ", reasons)})";
        }
        if (!chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span))
        {
            return $"certificate '{certificate.Subject}' chains to another root than the cluster CA";
        }
        var names = AlternativeNames(certificate);
        if (names is not [{ } only] || !only.StartsWith(DnsPrefix, StringComparison.Ordinal) || !NodeOptions.IsNodeName(only[DnsPrefix.Length..]))
        {
            var named = names.Count == 0 ? "no node" : string.Join(", ", names);
            var node = names.Select(n => n.StartsWith(DnsPrefix, StringComparison.Ordinal) ? n[DnsPrefix.Length..] : string.Empty).FirstOrDefault(NodeOptions.IsNodeName) ?? "NAME";
            return $"certificate '{certificate.Subject}' names {named}, but a node certificate must name exactly its node and nothing else "
                + "(certificates issued by older versions of `jarvis cert issue` also named localhost and 127.0.0.1, which let any node key claim those names): "
                + $"reissue it with `jarvis cert issue {node}`";
        }
        if (expectedName is not null && only != DnsPrefix + expectedName)
        {
            return $"certificate '{certificate.Subject}' does not name node '{expectedName}'";
        }
        return null;
    }

    private const string DnsPrefix = "DNS:";

    /// <summary>Every subject alternative name of a certificate, as <c>DNS:x</c>, <c>IP:x</c> or the kind of name it is.</summary>
    private static List<string> AlternativeNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != "2.5.29.17")
            {
                continue;
            }
            try
            {
                var sequence = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (sequence.HasData)
                {
                    var tag = sequence.PeekTag();
                    var dnsName = new Asn1Tag(TagClass.ContextSpecific, 2);
                    var ipAddress = new Asn1Tag(TagClass.ContextSpecific, 7);
                    if (tag.HasSameClassAndValue(dnsName))
                    {
                        names.Add(DnsPrefix + sequence.ReadCharacterString(UniversalTagNumber.IA5String, dnsName));
                    }
                    else if (tag.HasSameClassAndValue(ipAddress))
                    {
                        names.Add("IP:" + new IPAddress(sequence.ReadOctetString(ipAddress)));
                    }
                    else
                    {
                        sequence.ReadEncodedValue();
                        names.Add($"a name of kind {tag.TagValue}");
                    }
                }
            }
            catch (Exception exception) when (exception is AsnContentException or ArgumentException)
            {
                names.Add("a malformed name");
            }
        }
        return names;
    }

    private static void WriteNew(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Private keys are the owner's alone; certificates are public.
            options.UnixCreateMode = path.EndsWith(KeyExtension, StringComparison.Ordinal)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }
}
