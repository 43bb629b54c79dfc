using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Jarvis.Cluster.Tests;

/// <summary><c>jarvis agents</c>, <c>tasks</c> and <c>plans</c>, run as the real program against a real node hosting an echo agent.</summary>
public sealed class CliAgentCommandTests(AgentNodeFixture node) : IClassFixture<AgentNodeFixture>
{
    private const string Cycle = """{"steps":[{"name":"a","task":{"capabilities":["echo"]},"dependsOn":["b"]},{"name":"b","task":{"capabilities":["echo"]},"dependsOn":["a"]}]}""";
    private const string Chain = """{"steps":[{"name":"a","task":{"capabilities":["echo"],"input":"first"}},{"name":"b","task":{"capabilities":["echo"],"input":"second"},"dependsOn":["a"]}]}""";

    // Three real tasks (1, 2, 3) between the dummy entry 0 and exit 4: 1 → 2, and 3 after both.
    private const string Graph = """
        3
        0 0 0
        1 2 1 0
        2 3 1 1
        3 1 2 1 2
        4 0 1 3
        # a small graph
        """;

    [Fact]
    public async Task Tasks_submit_with_wait_prints_the_result_and_agents_ls_lists_the_agent()
    {
        var submitted = await SucceedsAsync("tasks", "submit", "--capability", "echo", "--input", "hi", "--wait");
        Assert.Contains("Succeeded hi", submitted.Text, StringComparison.Ordinal);

        var agents = await SucceedsAsync("agents", "ls");
        Assert.Contains("echo-1", agents.Text, StringComparison.Ordinal);
        Assert.Contains("Alive", agents.Text, StringComparison.Ordinal);
        Assert.Contains("echo (1)", agents.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plans_submit_runs_a_json_plan_and_an_stg_graph_to_the_end()
    {
        using var folder = new TemporaryFolder();
        var json = folder.Write("chain.json", Chain);
        var stg = folder.Write("small.stg", Graph);

        var chain = await SucceedsAsync("plans", "submit", json, "--wait");
        Assert.Contains("Succeeded a Succeeded first b Succeeded second", chain.Text, StringComparison.Ordinal);

        var graph = await SucceedsAsync("plans", "submit", stg, "--wait", "--capability", "echo", "--ms-per-unit", "5");
        Assert.Contains("Succeeded t1 Succeeded t1 t2 Succeeded t2 t3 Succeeded t3", graph.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("t0", graph.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("t4", graph.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cyclic_plan_is_refused_with_the_reason_and_stores_nothing()
    {
        using var folder = new TemporaryFolder();
        var tasksBefore = await TaskCountAsync();

        var refused = await RunAsync("plans", "submit", folder.Write("cycle.json", Cycle), "--key", "cli-cycle");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("400 Invalid plan", refused.Text, StringComparison.Ordinal);
        Assert.Contains("(reason: cycle)", refused.Text, StringComparison.Ordinal);
        Assert.Equal(tasksBefore, await TaskCountAsync());
        // Had the refused plan been stored, its key would now name other steps: a 409 Idempotency conflict.
        await SucceedsAsync("plans", "submit", folder.Write("chain.json", Chain), "--key", "cli-cycle");
    }

    private async Task<int> TaskCountAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(node.Url) };
        var page = await http.GetFromJsonAsync<JsonObject>("v1/tasks?limit=1000");
        return page!["tasks"]!.AsArray().Count;
    }

    private async Task<CompletedProcess> SucceedsAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"jarvis {string.Join(' ', arguments)} exits 0; it exited {result.ExitCode}: {result.Text}");
        return result;
    }

    private Task<CompletedProcess> RunAsync(params string[] arguments)
        => CompletedProcess.RunAsync(JarvisProgram.Executable.StartInfo([.. arguments, "--url", node.Url]), TestCluster.Generous);

    /// <summary>A folder for a test's files, deleted at the end.</summary>
    private sealed class TemporaryFolder : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("jarvis-cli-agents-");

        public string Write(string name, string text)
        {
            var path = Path.Combine(_directory.FullName, name);
            File.WriteAllText(path, text);
            return path;
        }

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
