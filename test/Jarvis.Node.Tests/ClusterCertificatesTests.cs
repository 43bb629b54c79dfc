using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Jarvis.Node.Tests;

public sealed class ClusterCertificatesTests : IDisposable
{
    private readonly string _cluster = Directory.CreateTempSubdirectory("jarvis-ca-").FullName;
    private readonly string _foreign = Directory.CreateTempSubdirectory("jarvis-foreign-ca-").FullName;

    public void Dispose()
    {
        Directory.Delete(_cluster, recursive: true);
        Directory.Delete(_foreign, recursive: true);
    }

    [Fact]
    public void A_node_certificate_chains_to_its_authority_and_names_the_node()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        ClusterCertificates.IssueNode(_cluster, "node-1");
        using var authority = ClusterCertificates.LoadAuthority(_cluster);
        using var node = ClusterCertificates.LoadNode(_cluster, "node-1");
        Assert.True(node.HasPrivateKey, "a node certificate is loaded with its key");
        Assert.Null(ClusterCertificates.Verify(node, authority, "node-1", asClient: true));
        Assert.Null(ClusterCertificates.Verify(node, authority, "node-1", asClient: false));
        Assert.False(node.MatchesHostname("localhost"), "the certificate names its node and nothing else");
        Assert.True(node.NotAfter <= DateTime.Now.AddYears(1).AddDays(1), "a node certificate lasts a year");
    }

    [Fact]
    public void A_certificate_naming_more_than_its_node_is_refused_as_a_node_certificate_and_says_to_reissue_it()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        using var authority = ClusterCertificates.LoadAuthority(_cluster);
        var failures = new List<string>();
        foreach (var (names, what) in new (string[] Names, string What)[]
        {
            (["node-1", "localhost", "127.0.0.1"], "what `jarvis cert issue` used to issue"),
            (["node-1", "node-2"], "two nodes"),
            (["localhost"], "localhost alone"),
            (["127.0.0.1"], "an address alone"),
        })
        {
            using var certificate = Issue(names);
            var reason = ClusterCertificates.Verify(certificate, authority, expectedName: null, asClient: true);
            if (reason is null || !reason.Contains("must name exactly its node", StringComparison.Ordinal) || !reason.Contains("reissue it with `jarvis cert issue", StringComparison.Ordinal))
            {
                failures.Add($"{what}: {reason ?? "accepted"}");
            }
        }
        using var legacy = Issue(["node-1", "localhost", "127.0.0.1"]);
        Assert.Contains("jarvis cert issue node-1", ClusterCertificates.Verify(legacy, authority, "node-1", asClient: false), StringComparison.Ordinal);
        Assert.True(failures.Count == 0, "a certificate naming anything but exactly one node is not a node certificate: " + string.Join("; ", failures));
    }

    [Fact]
    public void Localhost_is_not_a_node_name()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        Assert.Throws<ArgumentException>(() => ClusterCertificates.IssueNode(_cluster, "localhost"));
        var options = new NodeOptions { Name = "localhost", DataDirectory = _cluster, PeerPort = 1, HttpPort = 2, Insecure = true };
        Assert.Contains(options.Validate(), p => p.Contains("'localhost'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_node_with_a_certificate_that_also_names_localhost_fails_to_build_and_says_to_reissue_it()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        using (var legacy = Issue(["node-1", "localhost", "127.0.0.1"]))
        {
            File.WriteAllText(Path.Combine(_cluster, "node-1.crt"), legacy.ExportCertificatePem());
            File.WriteAllText(Path.Combine(_cluster, "node-1.key"), legacy.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }
        var options = new NodeOptions { Name = "node-1", DataDirectory = _cluster, PeerPort = TestNode.FreePort(), HttpPort = TestNode.FreePort(), CertificateDirectory = _cluster };
        var exception = Assert.Throws<NodeConfigurationException>(() => JarvisNodeHost.Build(options));
        Assert.Contains("reissue it with `jarvis cert issue node-1`", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_of_a_foreign_authority_is_refused()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        ClusterCertificates.CreateAuthority(_foreign, "other");
        ClusterCertificates.IssueNode(_foreign, "node-1");
        using var authority = ClusterCertificates.LoadAuthority(_cluster);
        using var stranger = ClusterCertificates.LoadNode(_foreign, "node-1");
        var reason = ClusterCertificates.Verify(stranger, authority, "node-1", asClient: true);
        Assert.NotNull(reason);
        Assert.Contains("does not chain to the cluster CA", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_of_another_node_does_not_pass_for_this_one()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        ClusterCertificates.IssueNode(_cluster, "node-2");
        using var authority = ClusterCertificates.LoadAuthority(_cluster);
        using var other = ClusterCertificates.LoadNode(_cluster, "node-2");
        Assert.Contains("does not name node 'node-1'", ClusterCertificates.Verify(other, authority, "node-1", asClient: true), StringComparison.Ordinal);
    }

    [Fact]
    public void The_authority_itself_is_not_accepted_as_a_node()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        using var authority = ClusterCertificates.LoadAuthority(_cluster);
        Assert.NotNull(ClusterCertificates.Verify(authority, authority, null, asClient: true));
    }

    [Fact]
    public void An_existing_authority_is_never_overwritten()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        var before = File.ReadAllText(Path.Combine(_cluster, "ca.crt"));
        Assert.Throws<IOException>(() => ClusterCertificates.CreateAuthority(_cluster));
        Assert.Equal(before, File.ReadAllText(Path.Combine(_cluster, "ca.crt")));
    }

    [Fact]
    public void Files_are_pem_and_keys_are_private_to_their_owner()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        ClusterCertificates.IssueNode(_cluster, "node-1");
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(Path.Combine(_cluster, "node-1.crt")), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(_cluster, "node-1.key")), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_cluster, "node-1.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_cluster, "ca.key")));
        }
    }

    [Fact]
    public void Issuing_needs_an_authority_and_a_node_name()
    {
        Assert.Throws<FileNotFoundException>(() => ClusterCertificates.IssueNode(_cluster, "node-1"));
        ClusterCertificates.CreateAuthority(_cluster);
        Assert.Throws<ArgumentException>(() => ClusterCertificates.IssueNode(_cluster, "Not A Name"));
    }

    /// <summary>A node certificate signed by this cluster's authority with the given alternative names (DNS names, or IP addresses).</summary>
    private X509Certificate2 Issue(IEnumerable<string> names)
    {
        using var authority = ClusterCertificates.LoadAuthority(_cluster, withKey: true);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node-1, O=Jarvis", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var alternatives = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                alternatives.AddIpAddress(address);
            }
            else
            {
                alternatives.AddDnsName(name);
            }
        }
        request.CertificateExtensions.Add(alternatives.Build());
        using var certificate = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), [1, 2, 3, 4]);
        return certificate.CopyWithPrivateKey(key);
    }

    [Fact]
    public void A_node_with_a_foreign_certificate_fails_to_build()
    {
        ClusterCertificates.CreateAuthority(_cluster);
        ClusterCertificates.CreateAuthority(_foreign, "other");
        ClusterCertificates.IssueNode(_foreign, "node-1");
        File.Copy(Path.Combine(_foreign, "node-1.crt"), Path.Combine(_cluster, "node-1.crt"));
        File.Copy(Path.Combine(_foreign, "node-1.key"), Path.Combine(_cluster, "node-1.key"));
        var options = new NodeOptions { Name = "node-1", DataDirectory = _cluster, PeerPort = TestNode.FreePort(), HttpPort = TestNode.FreePort(), CertificateDirectory = _cluster };
        var exception = Assert.Throws<NodeConfigurationException>(() => JarvisNodeHost.Build(options));
        Assert.Contains("own certificate is unusable", exception.Message, StringComparison.Ordinal);
    }
}
