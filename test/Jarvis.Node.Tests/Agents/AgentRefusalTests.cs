using System.Net;

namespace Jarvis.Node.Tests.Agents;

/// <summary>Bad submissions are refused with a problem and store nothing: checked on a node of its own, whose task list must stay empty.</summary>
public sealed class AgentRefusalTests
{
    [Fact]
    public async Task Refused_submissions_store_nothing()
    {
        await using var node = await TestNode.StartAsync("refusals", o => o.Agents.Add(new HostedAgentOptions { Kind = "echo", Id = "echo-r" }));
        var input = new string('x', 300 * 1024);
        using (var tooLarge = await node.PostJsonAsync("v1/tasks", $$"""{"capabilities":["echo"],"input":"{{input}}"}"""))
        {
            await ApiAssert.ProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "Payload too large");
        }
        using (var cycle = await node.PostJsonAsync("v1/plans", """
            {"steps":[{"name":"a","task":{"capabilities":["echo"]},"dependsOn":["b"]},{"name":"b","task":{"capabilities":["echo"]},"dependsOn":["a"]}]}
            """))
        {
            var body = await cycle.Content.ReadAsStringAsync();
            Assert.True(cycle.StatusCode == HttpStatusCode.BadRequest, body);
            Assert.Contains("reason: cycle", body, StringComparison.Ordinal);
        }
        using (var unknown = await node.PostJsonAsync("v1/plans", """
            {"steps":[{"name":"a","task":{"capabilities":["echo"]},"dependsOn":["missing"]}]}
            """))
        {
            var body = await unknown.Content.ReadAsStringAsync();
            Assert.True(unknown.StatusCode == HttpStatusCode.BadRequest, body);
            Assert.Contains("reason: unknown-dependency", body, StringComparison.Ordinal);
        }
        using (var badField = await node.PostJsonAsync("v1/tasks", """{"capabilities":["echo"],"priority":5000}"""))
        {
            await ApiAssert.ProblemAsync(badField, HttpStatusCode.BadRequest, "Invalid task");
            Assert.Contains("Priority", await badField.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var unknownField = await node.PostJsonAsync("v1/tasks", """{"capabilities":["echo"],"inptu":"typo"}"""))
        {
            await ApiAssert.ProblemAsync(unknownField, HttpStatusCode.BadRequest, "Bad task");
        }
        using (var notJson = await node.PostJsonAsync("v1/tasks", """{"capabilities":"""))
        {
            await ApiAssert.ProblemAsync(notJson, HttpStatusCode.BadRequest, "Bad JSON");
        }
        var tasks = await node.GetJsonAsync("v1/tasks");
        Assert.Empty(tasks["tasks"]!.AsArray());
        Assert.Empty(await ApiAssert.KeysAsync(node, "agents/tasks/"));
        Assert.Empty(await ApiAssert.KeysAsync(node, "agents/plans/"));
    }

    [Fact]
    public async Task Unknown_tasks_plans_and_runs_are_problems()
    {
        await using var node = await TestNode.StartAsync("unknowns");
        using (var task = await node.Client.GetAsync("v1/tasks/t-000000000000000000000000"))
        {
            await ApiAssert.ProblemAsync(task, HttpStatusCode.NotFound, "Not found");
        }
        using (var plan = await node.Client.GetAsync("v1/plans/p-000000000000000000000000"))
        {
            await ApiAssert.ProblemAsync(plan, HttpStatusCode.NotFound, "Not found");
        }
        using (var cancel = await node.Client.PostAsync("v1/tasks/t-000000000000000000000000/cancel", null))
        {
            await ApiAssert.ProblemAsync(cancel, HttpStatusCode.NotFound, "Not found");
        }
        using (var run = await node.PostJsonAsync("v1/runs/not-a-run/complete", """{"taskId":"t-1","result":"x"}"""))
        {
            await ApiAssert.ProblemAsync(run, HttpStatusCode.BadRequest, "Bad run id");
        }
        using (var poll = await node.Client.PostAsync("v1/agents/nobody/poll?waitMs=0", null))
        {
            await ApiAssert.ProblemAsync(poll, HttpStatusCode.NotFound, "Not found");
        }
        using (var state = await node.Client.GetAsync("v1/tasks?state=Sleeping"))
        {
            await ApiAssert.ProblemAsync(state, HttpStatusCode.BadRequest, "Bad state");
        }
    }
}
