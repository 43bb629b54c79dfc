using System.Globalization;

namespace Jarvis.Cluster.Tests;

/// <summary>One real node process hosting an <c>echo</c> agent (<c>echo-1</c>, from <c>Jarvis__Agents__0__…</c> variables), shared by a test class.</summary>
public sealed class AgentNodeFixture : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public string Url { get; private set; } = null!;

    internal TestCluster Cluster => _cluster;

    public async Task InitializeAsync()
    {
        var agents = new Dictionary<int, IReadOnlyDictionary<string, string>>
        {
            [0] = AgentVariables(0, "echo", "echo-1"),
        };
        _cluster = await TestCluster.StartAsync(1, secure: false, agents, isolated: null);
        await TestCluster.WaitUntilAsync(() => _cluster.Client(0).IsReadyAsync(CancellationToken.None), "the node is ready");
        Url = _cluster.Nodes[0].Spec.HttpUrl.ToString();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>The environment variables that make a node host one built-in agent (configuration <c>Jarvis:Agents:N:…</c>).</summary>
    internal static Dictionary<string, string> AgentVariables(int index, string kind, string id, double proficiency = 1, long durationMs = 1_000)
    {
        var at = string.Create(CultureInfo.InvariantCulture, $"Jarvis__Agents__{index}__");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [at + "Kind"] = kind,
            [at + "Id"] = id,
            [at + "Proficiency"] = proficiency.ToString(CultureInfo.InvariantCulture),
            [at + "DurationMs"] = durationMs.ToString(CultureInfo.InvariantCulture),
        };
    }
}
