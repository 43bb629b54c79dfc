using System.Net;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests.Agents;

/// <summary>Tasks, plans, pools and agents through one node's HTTP API, run by the agents it hosts.</summary>
public sealed class AgentApiTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>
{
    private readonly TestNode _node = fixture.Node;

    [Fact]
    public async Task A_submitted_task_runs_on_the_echo_agent_to_succeeded()
    {
        var submitted = await _node.SubmitAsync("""{"capabilities":["echo"],"input":"hello, agents"}""");
        Assert.Equal("completed", submitted["outcome"]!.GetValue<string>());
        var done = await _node.WaitForTaskAsync(submitted.Id(), "Succeeded");
        Assert.Equal("hello, agents", done["result"]!.GetValue<string>());
        var run = Assert.Single(done["runs"]!.AsArray())!;
        Assert.Equal("echo-1", run["agent"]!.GetValue<string>());
        Assert.Equal("Succeeded", run["outcome"]!.GetValue<string>());
        var result = await _node.GetJsonAsync($"v1/tasks/{submitted.Id()}/result");
        Assert.Equal("hello, agents", result["result"]!.GetValue<string>());
        Assert.True(await Eventually.HoldsAsync(async () => await _node.MetricAsync("jarvis_agent_tasks", "state=\"Succeeded\"") >= 1 && await _node.MetricAsync("jarvis_agent_runs_started_total") >= 1, AgentApi.Patience),
            "the metrics count the succeeded task and its run");
    }

    [Fact]
    public async Task Resubmitting_a_key_gives_the_same_task_and_different_work_under_it_is_a_conflict()
    {
        var first = await _node.SubmitAsync("""{"capabilities":["echo"],"input":"once"}""", HttpStatusCode.Created, idempotencyKey: "resubmit-1");
        var again = await _node.SubmitAsync("""{"capabilities":["echo"],"input":"once"}""", HttpStatusCode.OK, idempotencyKey: "resubmit-1");
        Assert.Equal(first.Id(), again.Id());
        var inBody = await _node.SubmitAsync("""{"capabilities":["echo"],"input":"once","idempotencyKey":"resubmit-1"}""", HttpStatusCode.OK);
        Assert.Equal(first.Id(), inBody.Id());
        using var conflict = await _node.PostJsonAsync("v1/tasks", """{"capabilities":["echo"],"input":"other work"}""", "resubmit-1");
        await ApiAssert.ProblemAsync(conflict, HttpStatusCode.Conflict, "Idempotency conflict");
        var done = await _node.WaitForTaskAsync(first.Id(), "Succeeded");
        Assert.Equal("once", done["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_plan_of_three_steps_completes_in_dependency_order()
    {
        using var response = await _node.PostJsonAsync("v1/plans", """
            {"steps":[
              {"name":"c","task":{"capabilities":["echo"],"input":"third"},"dependsOn":["b"]},
              {"name":"a","task":{"capabilities":["echo"],"input":"first"}},
              {"name":"b","task":{"capabilities":["echo"],"input":"second"},"dependsOn":["a"]}
            ]}
            """);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var plan = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var planId = plan.Id();
        JsonObject? last = null;
        Assert.True(await Eventually.HoldsAsync(async () => (last = await _node.GetJsonAsync($"v1/plans/{planId}")).State() == "Succeeded", AgentApi.Patience),
            $"the plan succeeds; last seen {last?.ToJsonString()}");
        var steps = last!["steps"]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!.AsObject());
        Assert.Equal(["first", "second", "third"], new[] { "a", "b", "c" }.Select(s => steps[s]["result"]!.GetValue<string>()));
        var views = new Dictionary<string, JsonObject>();
        foreach (var step in new[] { "a", "b", "c" })
        {
            views[step] = await _node.TaskAsync(steps[step]["taskId"]!.GetValue<string>());
        }
        Assert.True(Started(views["b"]) >= views["a"]["endedAt"]!.GetValue<ulong>(), "b starts only after a has ended");
        Assert.True(Started(views["c"]) >= views["b"]["endedAt"]!.GetValue<ulong>(), "c starts only after b has ended");

        static ulong Started(JsonObject task) => task["runs"]!.AsArray().Min(r => r!["startedAt"]!.GetValue<ulong>());
    }

    [Fact]
    public async Task A_running_task_is_cancelled_and_then_has_no_result()
    {
        var submitted = await _node.SubmitAsync("""{"capabilities":["sleep"],"input":"long"}""");
        await _node.WaitForTaskAsync(submitted.Id(), "Running");
        using var cancel = await _node.Client.PostAsync($"v1/tasks/{submitted.Id()}/cancel", null);
        Assert.True(cancel.StatusCode == HttpStatusCode.OK, await cancel.Content.ReadAsStringAsync());
        var cancelled = await _node.WaitForTaskAsync(submitted.Id(), "Cancelled");
        Assert.All(cancelled["runs"]!.AsArray(), r => Assert.NotEqual("Running", r!["outcome"]!.GetValue<string>()));
        using var result = await _node.Client.GetAsync($"v1/tasks/{submitted.Id()}/result");
        await ApiAssert.ProblemAsync(result, HttpStatusCode.Conflict, "No result");
        using var again = await _node.Client.PostAsync($"v1/tasks/{submitted.Id()}/cancel", null);
        await ApiAssert.ProblemAsync(again, HttpStatusCode.Conflict, "Task final");
    }

    [Fact]
    public async Task A_pool_is_created_once_and_a_task_needing_its_unit_completes_and_gives_it_back()
    {
        using var created = await _node.PostJsonAsync("v1/pools", """{"name":"gpu","capacity":1}""");
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        using var again = await _node.PostJsonAsync("v1/pools", """{"name":"gpu","capacity":1}""");
        await ApiAssert.ProblemAsync(again, HttpStatusCode.Conflict, "Pool exists");
        var submitted = await _node.SubmitAsync("""{"capabilities":["echo"],"input":"needs a gpu","pools":{"gpu":1}}""");
        var done = await _node.WaitForTaskAsync(submitted.Id(), "Succeeded");
        Assert.Equal("needs a gpu", done["result"]!.GetValue<string>());
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            var pools = (await _node.GetJsonAsync("v1/pools"))["pools"]!.AsArray();
            return pools.Any(p => p!["name"]!.GetValue<string>() == "gpu" && p["free"]!.GetValue<ulong>() == 1 && p["capacity"]!.GetValue<ulong>() == 1);
        }, AgentApi.Patience), "the unit is back in the pool once the task has ended");
        Assert.True(await Eventually.HoldsAsync(async () => await _node.MetricAsync("jarvis_agent_pool_capacity", "pool=\"gpu\"") == 1 && await _node.MetricAsync("jarvis_agent_pool_free", "pool=\"gpu\"") == 1, AgentApi.Patience),
            "the metrics show the pool's capacity and its free unit");
    }

    [Fact]
    public async Task Registering_an_external_agent_under_an_in_process_agents_id_is_refused()
    {
        using var response = await _node.PostJsonAsync("v1/agents", """{"id":"echo-1","capabilities":{"echo":{}},"capacity":1}""");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict, "Refused");
        Assert.Equal("InProcess", (await _node.GetJsonAsync("v1/agents/echo-1"))["kind"]!.GetValue<string>());
        using var invalid = await _node.PostJsonAsync("v1/agents", """{"id":"no-capabilities","capacity":1}""");
        await ApiAssert.ProblemAsync(invalid, HttpStatusCode.BadRequest, "Invalid task");
    }

    [Fact]
    public async Task An_external_worker_polls_heartbeats_and_completes_its_run()
    {
        using var registered = await _node.PostJsonAsync("v1/agents", """{"id":"worker-1","capabilities":{"translate":{"proficiency":0.9}},"capacity":1}""");
        Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        var agent = await _node.GetJsonAsync("v1/agents/worker-1");
        Assert.Equal("External", agent["kind"]!.GetValue<string>());
        var submitted = await _node.SubmitAsync("""{"capabilities":["translate"],"input":"bonjour"}""");
        JsonObject? ticket = null;
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            using var poll = await _node.Client.PostAsync("v1/agents/worker-1/poll?waitMs=5000", null);
            if (poll.StatusCode == HttpStatusCode.OK)
            {
                ticket = JsonNode.Parse(await poll.Content.ReadAsStringAsync())!.AsObject();
                return true;
            }
            Assert.Equal(HttpStatusCode.NoContent, poll.StatusCode);
            return false;
        }, AgentApi.Patience), "the worker's poll is handed the run");
        Assert.Equal(submitted.Id(), ticket!["taskId"]!.GetValue<string>());
        Assert.Equal("bonjour", ticket["input"]!.GetValue<string>());
        var runId = ticket["runId"]!.GetValue<string>();
        using (var beat = await _node.Client.PostAsync($"v1/runs/{runId}/heartbeat", null))
        {
            Assert.True(beat.StatusCode == HttpStatusCode.OK, await beat.Content.ReadAsStringAsync());
        }
        using (var agentBeat = await _node.Client.PostAsync("v1/agents/worker-1/heartbeat", null))
        {
            Assert.Equal(HttpStatusCode.OK, agentBeat.StatusCode);
        }
        using (var complete = await _node.PostJsonAsync($"v1/runs/{runId}/complete", $$"""{"taskId":"{{submitted.Id()}}","result":"hello"}"""))
        {
            Assert.True(complete.StatusCode == HttpStatusCode.OK, await complete.Content.ReadAsStringAsync());
        }
        var done = await _node.WaitForTaskAsync(submitted.Id(), "Succeeded");
        Assert.Equal("hello", done["result"]!.GetValue<string>());
        using var late = await _node.Client.PostAsync($"v1/runs/{runId}/heartbeat", null);
        await ApiAssert.ProblemAsync(late, HttpStatusCode.Conflict, "Run not active");
    }

    [Fact]
    public async Task A_task_no_agent_can_take_stays_pending_with_its_reason_visible()
    {
        var submitted = await _node.SubmitAsync("""{"capabilities":["nobody-has-this"],"input":"x"}""");
        JsonObject? last = null;
        Assert.True(await Eventually.HoldsAsync(async () => (last = await _node.TaskAsync(submitted.Id()))["unassignable"] is not null, AgentApi.Patience),
            $"the task says why no agent takes it; last seen {last?.ToJsonString()}");
        Assert.Equal("Pending", last!.State());
        Assert.Contains("nobody-has-this", last!["unassignable"]!.GetValue<string>(), StringComparison.Ordinal);
        var pending = await _node.GetJsonAsync("v1/tasks?state=Pending&limit=1000");
        Assert.Contains(pending["tasks"]!.AsArray(), t => t!["id"]!.GetValue<string>() == submitted.Id());
    }

    [Fact]
    public async Task An_agent_that_throws_fails_its_task_and_the_loop_goes_on()
    {
        var thrown = await _node.SubmitAsync($$$"""{"capabilities":["{{{AgentNodeFixture.ThrowingCapability}}}"],"input":"x","retry":{"maxAttempts":1}}""");
        var failed = await _node.WaitForTaskAsync(thrown.Id(), "Failed");
        Assert.Contains("this agent always throws", failed["runs"]!.AsArray()[0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        using var health = await _node.Client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var next = await _node.SubmitAsync("""{"capabilities":["echo"],"input":"after the throw"}""");
        Assert.Equal("after the throw", (await _node.WaitForTaskAsync(next.Id(), "Succeeded"))["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task Agents_are_listed_with_their_status_running_and_free()
    {
        var agents = (await _node.GetJsonAsync("v1/agents"))["agents"]!.AsArray();
        var echo = Assert.Single(agents, a => a!["id"]!.GetValue<string>() == "echo-1")!;
        Assert.Equal("Alive", echo["status"]!.GetValue<string>());
        Assert.Equal(4, echo["capacity"]!.GetValue<int>());
        Assert.Equal(echo["capacity"]!.GetValue<int>() - echo["running"]!.GetValue<int>(), echo["free"]!.GetValue<int>());
        using var unknown = await _node.Client.GetAsync("v1/agents/no-such-agent");
        await ApiAssert.ProblemAsync(unknown, HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task Tasks_are_listed_by_id_a_page_at_a_time()
    {
        for (var i = 0; i < 3; i++)
        {
            await _node.SubmitAsync($$"""{"capabilities":["nobody-pages"],"input":"{{i}}"}""");
        }
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await _node.GetJsonAsync("v1/tasks?state=Pending&limit=1" + (after is null ? "" : "&after=" + after));
            seen.AddRange(page["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));
            after = page["next"]?.GetValue<string>();
        }
        while (after is not null);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.True(seen.Count >= 3, "every pending task is on some page");
    }
}
