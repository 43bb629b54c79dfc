using System.Net;
using Jarvis.Node.Internal;

namespace Jarvis.Node.Tests;

/// <summary>
/// A node listens only where its own settings say. ASP.NET Core's endpoint variables (<c>ASPNETCORE_URLS</c> and its
/// kin) would otherwise be ignored in silence, so a node refuses to start while one is set, with one line naming the
/// variable and the node's own settings. The environment is injected: the process's is never changed.
/// </summary>
public sealed class EndpointEnvironmentTests
{
    private static NodeOptions Options() => new()
    {
        Name = "urls",
        DataDirectory = Path.Combine(Path.GetTempPath(), "jarvis-urls-never-created"),
        PeerPort = TestNode.FreePort(),
        HttpPort = TestNode.FreePort(),
        Insecure = true,
    };

    private static NodeHooks WithEnvironment(string variable, string value)
        => new() { EnvironmentVariable = name => name == variable ? value : null };

    public static TheoryData<string> Variables => [.. JarvisNodeHost.EndpointVariables];

    [Theory]
    [MemberData(nameof(Variables))]
    public void A_set_endpoint_variable_stops_the_start_with_one_line_naming_the_nodes_own_settings(string variable)
    {
        var options = Options();
        var refused = Assert.Throws<NodeConfigurationException>(() => JarvisNodeHost.Build(options, null, WithEnvironment(variable, "http://0.0.0.0:5000")));
        var problem = Assert.Single(refused.Problems);
        Assert.True(problem.StartsWith($"{variable} is set ('http://0.0.0.0:5000')", StringComparison.Ordinal)
            && problem.Contains("Jarvis:HttpPort (--http-port)", StringComparison.Ordinal)
            && problem.Contains("Jarvis:PeerPort (--peer-port)", StringComparison.Ordinal)
            && !problem.Contains('\n', StringComparison.Ordinal),
            $"the refusal is one line naming {variable} and the node's own port settings: {problem}");
        Assert.False(Directory.Exists(options.DataDirectory), "a refused start touches no data folder");
    }

    [Fact]
    public void Every_problem_is_listed_together_with_the_options_own()
    {
        var options = Options();
        options.HttpPort = options.PeerPort;
        var refused = Assert.Throws<NodeConfigurationException>(() => JarvisNodeHost.Build(options, null, WithEnvironment("ASPNETCORE_URLS", "http://+:80")));
        Assert.True(refused.Problems.Count == 2
            && refused.Problems.Any(p => p.Contains("must differ", StringComparison.Ordinal))
            && refused.Problems.Any(p => p.StartsWith("ASPNETCORE_URLS is set", StringComparison.Ordinal)),
            $"the options' problems and the variable's are listed at once: {string.Join(" | ", refused.Problems)}");
    }

    [Fact]
    public async Task An_empty_endpoint_variable_is_unset_and_the_node_serves_on_its_own_port()
    {
        await using var node = await TestNode.StartAsync("urls-empty", WithEnvironment("ASPNETCORE_URLS", ""));
        using var health = await node.Client.GetAsync("healthz");
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"a node whose ASPNETCORE_URLS is empty starts and answers on its HttpPort: {health.StatusCode}");
    }
}
