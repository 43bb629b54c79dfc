using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Jarvis.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jarvis.Cluster.Tests;

/// <summary>A node started in-process for the CLI tests (insecure, one node, its own folder).</summary>
public sealed class CliNodeFixture : IAsyncLifetime
{
    private WebApplication _app = null!;
    private string _directory = null!;

    public string Url { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("jarvis-cli-node-").FullName;
        var ports = Jarvis.Cli.Internal.FreePorts.Take(2);
        var options = new NodeOptions { Name = "cli", DataDirectory = _directory, PeerPort = ports[0], HttpPort = ports[1], Insecure = true };
        _app = JarvisNodeHost.Build(options, NullLoggerFactory.Instance);
        await _app.StartAsync();
        Url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ports[1]}");
        Http = new HttpClient { BaseAddress = new Uri(Url + "/") };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary><c>jarvis put</c> takes every type the API has (field options or <c>--json</c>), and <c>jarvis delete</c> deletes; run as the real program.</summary>
public sealed class CliObjectCommandTests(CliNodeFixture node) : IClassFixture<CliNodeFixture>
{
    private const string Definition = """{"name":"review","states":["draft","review","done"],"transitions":[["draft","review"],["review","done"]]}""";

    [Fact]
    public async Task Put_writes_text_timeseries_workflow_and_ballot_with_their_options()
    {
        await SucceedsAsync("put", "cli/text", "--type", "text", "--op", "insert", "--index", "0", "--text", "hello world");
        await SucceedsAsync("put", "cli/text", "--type", "text", "--op", "delete", "--index", "5", "--length", "6");
        await SucceedsAsync("put", "cli/series", "--type", "timeseries", "--op", "append", "--timestamp", "1000", "--value", "2.5");
        await SucceedsAsync("put", "cli/series", "--type", "timeseries", "--op", "append", "--timestamp", "61000", "--value", "-1e3");
        await SucceedsAsync("put", "cli/series", "--type", "timeseries", "--op", "discard", "--before", "60000");
        await SucceedsAsync("put", "cli/flow", "--type", "workflow", "--op", "transition", "--to", "review", "--definition", Definition);
        var me = (await node.Http.GetFromJsonAsync<JsonObject>("v1/status"))!["replicaId"]!.GetValue<string>();
        await SucceedsAsync("put", "cli/vote", "--type", "ballot", "--op", "open", "--voter", me, "--rule", "unanimity");
        await SucceedsAsync("put", "cli/vote", "--type", "ballot", "--op", "vote", "--option", "ship");

        Assert.Equal("\"hello\"", await ValueAsync("cli/text"));
        var windows = JsonNode.Parse((await ValueAsync("cli/series"))!)!["windows"]!.AsArray();
        Assert.Equal(-1000, Assert.Single(windows)!["sum"]!.GetValue<double>());
        Assert.Equal("review", JsonNode.Parse((await ValueAsync("cli/flow"))!)!["state"]!.GetValue<string>());
        Assert.Equal("ship", JsonNode.Parse((await ValueAsync("cli/vote"))!)!["option"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_sends_a_whole_operation_given_as_json_and_the_node_refuses_what_is_wrong()
    {
        await SucceedsAsync("put", "cli/json", "--type", "map", "--json", """{"op":"set","field":"lang","value":"en"}""");
        Assert.Equal("""{"lang":"en"}""", await ValueAsync("cli/json"));

        var (exit, _, error) = await RunAsync("put", "cli/json", "--type", "map", "--json", """{"op":"set","field":"lang","value":"en","colour":"red"}""");
        Assert.Equal(1, exit);
        Assert.Contains("\"colour\"", error, StringComparison.Ordinal);

        var (usage, _, why) = await RunAsync("put", "cli/json", "--type", "map");
        Assert.Equal(2, usage);
        Assert.Contains("--op", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_removes_an_object_and_says_why_when_it_cannot()
    {
        await SucceedsAsync("put", "cli/gone", "--type", "set", "--op", "add", "-v", "a", "-v", "b");
        var (_, deleted, _) = await SucceedsAsync("delete", "cli/gone");
        Assert.Contains("deleted cli/gone", deleted, StringComparison.Ordinal);

        var (getExit, _, getError) = await RunAsync("get", "cli/gone");
        Assert.Equal(1, getExit);
        Assert.Contains("not found", getError, StringComparison.Ordinal);
        var (againExit, _, againError) = await RunAsync("delete", "cli/gone");
        Assert.Equal(1, againExit);
        Assert.Contains("not found", againError, StringComparison.Ordinal);

        await SucceedsAsync("put", "cli/count", "--type", "gcounter", "--op", "increment", "--by", "4");
        var (counterExit, _, counterError) = await RunAsync("delete", "cli/count");
        Assert.Equal(1, counterExit);
        Assert.Contains("cannot be deleted", counterError, StringComparison.Ordinal);
        Assert.Equal("4", await ValueAsync("cli/count"));
    }

    [Fact]
    public async Task A_key_with_a_dot_segment_is_refused_by_the_client_instead_of_landing_on_another_key()
    {
        var (exit, _, error) = await RunAsync("put", "cli/../escaped", "--type", "register", "--op", "set", "-v", "x");

        Assert.Equal(1, exit);
        Assert.Contains("'..' segment", error, StringComparison.Ordinal);
        Assert.Null(await ValueAsync("escaped"));
    }

    private async Task<string?> ValueAsync(string key)
    {
        using var response = await node.Http.GetAsync("v1/objects/" + key);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonObject>())!["value"]!.ToJsonString() : null;
    }

    private static string Words(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    private async Task<(int Exit, string Output, string Error)> SucceedsAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.Exit == 0, $"jarvis {string.Join(' ', arguments)} exits 0; it exited {result.Exit}: {result.Output} {result.Error}");
        return result;
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using var process = Process.Start(JarvisProgram.Executable.StartInfo([.. arguments, "--url", node.Url]))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TestCluster.Generous);
        await process.WaitForExitAsync(timeout.Token);
        // The consoles wrap long lines at their width when redirected: compare words, not line breaks.
        return (process.ExitCode, Words(await output), Words(await error));
    }
}
