using System.Diagnostics;
using System.Globalization;
using Jarvis.Node;

namespace Jarvis.Cli.Internal;

/// <summary>
/// Several nodes running as child processes on 127.0.0.1, each with its own data folder, log file and
/// certificate. Disposing stops every child (gracefully, then by force), so none outlives the cluster.
/// Thread safety: not thread-safe; owned by one command or test.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly JarvisExecutable _executable;
    private readonly List<NodeProcess> _nodes = [];

    public LocalCluster(JarvisExecutable executable, string directory)
    {
        _executable = executable;
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The cluster's folder: <c>certs/</c>, one data folder and one log per node.</summary>
    public string Directory { get; }

    /// <summary>The certificate folder.</summary>
    public string CertificateDirectory => Path.Combine(Directory, "certs");

    /// <summary>The nodes started so far, in order.</summary>
    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>The conventional name of the node at <paramref name="index"/> (0-based): <c>node-1</c>, <c>node-2</c>, …</summary>
    public static string NodeName(int index) => string.Create(CultureInfo.InvariantCulture, $"node-{index + 1}");

    /// <summary>Creates the authority if it is missing and a certificate for every named node that has none.</summary>
    public void EnsureCertificates(IEnumerable<string> names)
    {
        if (!File.Exists(Path.Combine(CertificateDirectory, ClusterCertificates.AuthorityCertificateFile)))
        {
            ClusterCertificates.CreateAuthority(CertificateDirectory);
        }
        foreach (var name in names)
        {
            if (!File.Exists(Path.Combine(CertificateDirectory, name + ClusterCertificates.CertificateExtension)))
            {
                ClusterCertificates.IssueNode(CertificateDirectory, name);
            }
        }
    }

    /// <summary>A spec for node <paramref name="index"/> with its data folder under the cluster folder.</summary>
    public NodeSpec Spec(int index, int httpPort, int peerPort, bool insecure)
    {
        var name = NodeName(index);
        return new NodeSpec(name, Path.Combine(Directory, name), httpPort, peerPort, insecure ? null : CertificateDirectory);
    }

    /// <summary>Starts a node; its output goes to <c>NAME.log</c> in the cluster folder.</summary>
    public NodeProcess Start(NodeSpec spec)
    {
        var node = NodeProcess.Start(_executable, spec, Path.Combine(Directory, spec.Name + ".log"));
        _nodes.Add(node);
        return node;
    }

    /// <summary>Starts a node again with the same spec (same data folder and ports), replacing the stopped process.</summary>
    public async Task<NodeProcess> RestartAsync(NodeProcess node)
    {
        var index = _nodes.IndexOf(node);
        if (index < 0)
        {
            throw new ArgumentException("The node is not part of this cluster.", nameof(node));
        }
        await node.DisposeAsync().ConfigureAwait(false);
        var restarted = NodeProcess.Start(_executable, node.Spec, node.LogPath);
        _nodes[index] = restarted;
        return restarted;
    }

    /// <summary>
    /// Waits until every node answers <c>/readyz</c> with 200, reporting each node's readiness as it changes.
    /// Fails fast, with the node's last log lines, if a child exits while waiting.
    /// </summary>
    /// <exception cref="TimeoutException">Not every node was ready within <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">A node exited before it was ready.</exception>
    public async Task WaitReadyAsync(TimeSpan timeout, Action<NodeProcess, bool>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var ready = new bool[_nodes.Count];
        while (true)
        {
            for (var i = 0; i < _nodes.Count; i++)
            {
                var node = _nodes[i];
                if (node.HasExited)
                {
                    throw new InvalidOperationException($"{node.Name} exited with code {node.ExitCode} before it was ready. Its log ({node.LogPath}) ends:\n{node.LogTail()}");
                }
                var now = await node.Client.IsReadyAsync(ct).ConfigureAwait(false);
                if (now != ready[i])
                {
                    ready[i] = now;
                    progress?.Invoke(node, now);
                }
            }
            if (Array.TrueForAll(ready, r => r))
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                var waiting = string.Join(", ", _nodes.Where((_, i) => !ready[i]).Select(n => n.Name));
                throw new TimeoutException($"Not ready after {timeout.TotalSeconds:0} s: {waiting}.");
            }
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every node at once and waits for all of them.</summary>
    public async Task StopAllAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.StopAsync())).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask())).ConfigureAwait(false);
        _nodes.Clear();
    }
}
