using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Jarvis.Cli.Internal;
using Jarvis.FaultProxy;

namespace Jarvis.Cluster.Tests;

/// <summary>
/// A cluster of real <c>jarvis node run</c> processes on 127.0.0.1 in a temporary folder, with every peer link
/// routed through a <see cref="TcpFaultProxy"/> (node i dials node j through proxy (i, j)), so a test can partition
/// and heal it. Disposing kills what is still running and deletes the folder.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly Dictionary<(int From, int To), TcpFaultProxy> _proxies = [];

    private TestCluster(string directory)
    {
        Cluster = new LocalCluster(JarvisProgram.Executable, directory);
    }

    public LocalCluster Cluster { get; }

    public IReadOnlyList<NodeProcess> Nodes => Cluster.Nodes;

    public JarvisClient Client(int index) => Cluster.Nodes[index].Client;

    /// <summary>Starts <paramref name="count"/> nodes with mTLS and waits until all are ready.</summary>
    public static Task<TestCluster> StartAsync(int count) => StartAsync(count, secure: true, environment: null, isolated: null);

    /// <summary>
    /// Starts <paramref name="count"/> nodes, some with environment variables of their own (a skewed clock) and
    /// some cut off from the others from the start, and waits until every other node is ready.
    /// </summary>
    public static Task<TestCluster> StartAsync(int count, bool secure, IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>>? environment, IReadOnlyCollection<int>? isolated)
        => StartAsync(count, secure, environment, isolated, dataDirectories: null);

    /// <summary>
    /// As above, with some nodes' data folders elsewhere than the cluster folder (on a disk that fills up, say).
    /// </summary>
    public static async Task<TestCluster> StartAsync(int count, bool secure, IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>>? environment, IReadOnlyCollection<int>? isolated, IReadOnlyDictionary<int, string>? dataDirectories)
    {
        var directory = Path.Combine(Path.GetTempPath(), "jarvis-cluster-test-" + Path.GetRandomFileName().Replace(".", string.Empty, StringComparison.Ordinal));
        var cluster = new TestCluster(directory);
        try
        {
            var names = Enumerable.Range(0, count).Select(LocalCluster.NodeName).ToList();
            cluster.Cluster.EnsureCertificates(names);
            var ports = FreePorts.Take(2 * count);
            var specs = Enumerable.Range(0, count).Select(i => cluster.Cluster.Spec(i, ports[2 * i], ports[2 * i + 1], insecure: !secure)).ToList();
            foreach (var (index, data) in dataDirectories ?? new Dictionary<int, string>())
            {
                specs[index] = specs[index] with { DataDirectory = data };
            }
            foreach (var (index, variables) in environment ?? new Dictionary<int, IReadOnlyDictionary<string, string>>())
            {
                foreach (var (name, value) in variables)
                {
                    specs[index].Environment[name] = value;
                }
            }
            for (var from = 0; from < count; from++)
            {
                for (var to = 0; to < count; to++)
                {
                    if (from != to)
                    {
                        var proxy = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, specs[to].PeerPort));
                        cluster._proxies[(from, to)] = proxy;
                        proxy.Start();
                        var via = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{proxy.Port}");
                        specs[from].Routes[specs[to].Name] = via;
                        if (to == 0)
                        {
                            specs[from].Seeds.Add(via);
                        }
                    }
                }
            }
            foreach (var index in isolated ?? [])
            {
                cluster.Isolate(index, FaultMode.Reset);
            }
            foreach (var spec in specs)
            {
                cluster.Cluster.Start(spec);
            }
            if (environment is null && isolated is null)
            {
                await cluster.Cluster.WaitReadyAsync(Generous, null, CancellationToken.None);
                return cluster;
            }
            var waitFor = Enumerable.Range(0, count).Where(i => environment?.ContainsKey(i) != true && isolated?.Contains(i) != true).ToList();
            await WaitUntilAsync(async () => (await Task.WhenAll(waitFor.Select(i => cluster.Client(i).IsReadyAsync(CancellationToken.None)))).All(r => r), $"nodes {string.Join(", ", waitFor)} are ready");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Cuts node <paramref name="index"/> off from every other node.</summary>
    public void Isolate(int index, FaultMode mode)
    {
        foreach (var ((from, to), proxy) in _proxies)
        {
            if (from == index || to == index)
            {
                proxy.Mode = mode;
            }
        }
    }

    /// <summary>Lets every link pass again.</summary>
    public void Heal()
    {
        foreach (var proxy in _proxies.Values)
        {
            proxy.Mode = FaultMode.Pass;
        }
    }

    /// <summary>Writes one operation at Local consistency on node <paramref name="index"/>; true if it was acknowledged.</summary>
    public async Task<bool> TryWriteAsync(int index, string key, string type, JsonObject operation)
    {
        try
        {
            await Client(index).PutAsync(key, type, operation, "local", null, CancellationToken.None);
            return true;
        }
        catch (JarvisClientException)
        {
            return false;
        }
    }

    /// <summary>The sorted elements of a set on one node (empty if the key does not exist there).</summary>
    public async Task<IReadOnlyList<string>> SetAsync(int index, string key)
    {
        var answer = await Client(index).GetAsync(key, null, CancellationToken.None);
        return answer is { } a ? [.. a.GetProperty("value").EnumerateArray().Select(e => e.GetString()!)] : [];
    }

    /// <summary>A counter's value on one node (0 if the key does not exist there).</summary>
    public async Task<long> CounterAsync(int index, string key)
    {
        var answer = await Client(index).GetAsync(key, null, CancellationToken.None);
        return answer is { } a ? a.GetProperty("value").GetInt64() : 0;
    }

    /// <summary>Polls every running node's digest until all are equal; fails with the digests if they never are.</summary>
    public async Task WaitConvergedAsync()
    {
        var clock = Stopwatch.StartNew();
        var digests = new List<string>();
        while (clock.Elapsed < Generous)
        {
            digests.Clear();
            foreach (var node in Nodes.Where(n => !n.HasExited))
            {
                try
                {
                    digests.Add((await node.Client.DigestAsync(CancellationToken.None)).Root);
                }
                catch (JarvisClientException e)
                {
                    digests.Add("unreachable: " + e.Message);
                }
            }
            if (digests.Distinct().Count() == 1 && !digests[0].StartsWith("unreachable", StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"the nodes did not converge within {Generous.TotalSeconds} s: digests {string.Join(", ", digests)}");
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> if it never does.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Generous)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"timed out after {Generous.TotalSeconds} s waiting until {what}");
    }

    /// <summary>True if node <paramref name="index"/> answers its client API (ready or not).</summary>
    public async Task<bool> IsServingAsync(int index)
    {
        try
        {
            await Client(index).DigestAsync(CancellationToken.None);
            return true;
        }
        catch (JarvisClientException)
        {
            return false;
        }
    }

    /// <summary>Every member name node <paramref name="index"/> reports.</summary>
    public async Task<IReadOnlyList<string>> MembersAsync(int index)
    {
        var status = await Client(index).StatusAsync(CancellationToken.None);
        return [.. status.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("name").GetString() ?? string.Empty)];
    }

    /// <summary>Node <paramref name="index"/>'s status document.</summary>
    public Task<System.Text.Json.JsonElement> StatusAsync(int index) => Client(index).StatusAsync(CancellationToken.None);

    /// <summary>The replica id node <paramref name="index"/> writes under now.</summary>
    public async Task<string> ReplicaIdAsync(int index) => (await StatusAsync(index)).GetProperty("replicaId").GetString()!;

    /// <summary>The status node <paramref name="index"/> reports for the member with <paramref name="replicaId"/>, or null if it does not know it.</summary>
    public async Task<string?> MemberStatusAsync(int index, string replicaId)
    {
        var members = (await StatusAsync(index)).GetProperty("members").EnumerateArray();
        return members.Where(m => m.GetProperty("replicaId").GetString() == replicaId).Select(m => m.GetProperty("status").GetString()).FirstOrDefault();
    }

    /// <summary>How many members node <paramref name="index"/> counts for its quorums, and the majority of them.</summary>
    public async Task<(int Members, int Majority)> QuorumAsync(int index)
    {
        var quorum = (await StatusAsync(index)).GetProperty("membership").GetProperty("quorum");
        return (quorum.GetProperty("members").GetInt32(), quorum.GetProperty("majority").GetInt32());
    }

    /// <summary>Sends node <paramref name="index"/> SIGTERM (what a service manager sends) and waits until it exits.</summary>
    public async Task TerminateAsync(int index)
    {
        using (var kill = Process.Start("kill", ["-TERM", Nodes[index].ProcessId.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var deadline = new CancellationTokenSource(Generous);
        while (!Nodes[index].HasExited)
        {
            await Task.Delay(100, deadline.Token);
        }
    }

    /// <summary>True if node <paramref name="index"/> has <paramref name="element"/> in the set at <paramref name="key"/>.</summary>
    public async Task<bool> HasElementAsync(int index, string key, string element)
        => (await SetAsync(index, key)).Contains(element, StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.KillAsync();
        }
        await Cluster.DisposeAsync();
        foreach (var proxy in _proxies.Values)
        {
            await proxy.DisposeAsync();
        }
        try
        {
            Directory.Delete(Cluster.Directory, recursive: true);
        }
        catch (IOException)
        {
            // A child still flushing its log: the temporary folder is left for the system to clean.
        }
    }

    /// <summary>The text of every node's log, for assertions on what a node logged.</summary>
    public string Log(int index)
    {
        using var stream = new FileStream(Nodes[index].LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static JsonObject Add(string element) => new() { ["op"] = "add", ["value"] = element };

    public static JsonObject Increment(long by) => new() { ["op"] = "increment", ["by"] = by };
}
