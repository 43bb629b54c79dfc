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
        Assert.True(node.MatchesHostname("localhost"), "the certificate also names localhost");
        Assert.True(node.NotAfter <= DateTime.Now.AddYears(1).AddDays(1), "a node certificate lasts a year");
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
