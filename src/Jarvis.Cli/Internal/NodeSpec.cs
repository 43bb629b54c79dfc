using System.Globalization;

namespace Jarvis.Cli.Internal;

/// <summary>Everything needed to start one node as a child process with <c>jarvis node run</c>.</summary>
internal sealed record NodeSpec(string Name, string DataDirectory, int HttpPort, int PeerPort, string? CertificateDirectory)
{
    /// <summary>Peer addresses to join through.</summary>
    public List<string> Seeds { get; init; } = [];

    /// <summary>Dial addresses by node name (links through fault proxies).</summary>
    public Dictionary<string, string> Routes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Environment variables set for the child beyond this process's own (e.g. libfaketime's, to skew its clock).</summary>
    public Dictionary<string, string> Environment { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The client API's base address.</summary>
    public Uri HttpUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{HttpPort}/"));

    /// <summary>The peer address others dial when they have no route.</summary>
    public string PeerAddress => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{PeerPort}");

    /// <summary>The arguments of <c>jarvis node run</c> for this node.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var arguments = new List<string>
        {
            "node", "run",
            "--name", Name,
            "--data", DataDirectory,
            "--http-port", HttpPort.ToString(CultureInfo.InvariantCulture),
            "--peer-port", PeerPort.ToString(CultureInfo.InvariantCulture),
            // The child stops when the parent closes its standard input, or dies: no orphans.
            NodeRunCommandNames.StopWithParent,
        };
        if (CertificateDirectory is null)
        {
            arguments.Add("--insecure");
        }
        else
        {
            arguments.Add("--certs");
            arguments.Add(CertificateDirectory);
        }
        foreach (var seed in Seeds)
        {
            arguments.Add("--seed");
            arguments.Add(seed);
        }
        foreach (var (name, address) in Routes)
        {
            arguments.Add("--route");
            arguments.Add($"{name}={address}");
        }
        return arguments;
    }
}
