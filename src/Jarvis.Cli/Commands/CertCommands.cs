using System.CommandLine;
using Jarvis.Cli.Internal;
using Spectre.Console;
using Jarvis.Node;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis cert init</c> and <c>jarvis cert issue NODE</c>: the cluster's certificate authority and node certificates.</summary>
internal static class CertCommands
{
    public static Command Create()
    {
        var cert = new Command("cert", "Create the cluster's certificate authority and node certificates (PEM, ECDSA P-256).");
        cert.Add(CreateInit());
        cert.Add(CreateIssue());
        return cert;
    }

    private static Option<string> Directory() => new("--dir", "-d")
    {
        Description = "The folder holding ca.crt, ca.key and the node certificates.",
        DefaultValueFactory = _ => "certs",
    };

    private static Command CreateInit()
    {
        var dir = Directory();
        var clusterName = new Option<string>("--cluster") { Description = "The cluster name in the authority's subject.", DefaultValueFactory = _ => "jarvis" };
        var init = new Command("init", "Create a certificate authority (ca.crt, ca.key); an existing one is never overwritten.") { dir, clusterName };
        init.SetAction(parse =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dir)!);
            try
            {
                ClusterCertificates.CreateAuthority(directory, parse.GetValue(clusterName)!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
            Terminal.Out.MarkupLineInterpolated($"[green]Created[/] a certificate authority in {directory}");
            Terminal.Out.MarkupLineInterpolated($"  {Path.Combine(directory, ClusterCertificates.AuthorityCertificateFile)}  (give to every node)");
            Terminal.Out.MarkupLineInterpolated($"  {Path.Combine(directory, ClusterCertificates.AuthorityKeyFile)}  (keep secret)");
            return ExitCodes.Success;
        });
        return init;
    }

    private static Command CreateIssue()
    {
        var dir = Directory();
        var node = new Argument<string>("NODE") { Description = "The node name: 1-63 characters of a-z, 0-9 and '-' (not 'localhost')." };
        var issue = new Command("issue", "Issue NODE.crt and NODE.key, signed by the authority in the folder; the certificate names NODE and nothing else.") { node, dir };
        issue.SetAction(parse =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dir)!);
            var name = parse.GetValue(node)!;
            try
            {
                ClusterCertificates.IssueNode(directory, name);
            }
            catch (ArgumentException)
            {
                Terminal.Fail($"'{name}' is not a node name: use 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit, and not 'localhost'.");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                Terminal.Fail(e is FileNotFoundException ? $"No certificate authority in {directory}: run 'jarvis cert init --dir {directory}' first." : e.Message);
                return ExitCodes.Failure;
            }
            Terminal.Out.MarkupLineInterpolated($"[green]Issued[/] {Path.Combine(directory, name + ClusterCertificates.CertificateExtension)} and {name + ClusterCertificates.KeyExtension}");
            return ExitCodes.Success;
        });
        return issue;
    }
}
