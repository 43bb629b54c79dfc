using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;
using Jarvis.Node.Internal;
using Jarvis.Replication;
using Jarvis.Replication.Protocol;
using Jarvis.Replication.Tests.Support;

namespace Jarvis.Node.Tests;

/// <summary>
/// No exception in any input or output stops the replica's loop (issue 12, defect 1): it is caught, logged with
/// the key, counted, the request that caused it is answered 500 problem+json, the loop goes on, and liveness
/// reports a loop that stalls.
/// </summary>
public sealed class LoopFailureTests
{
    [Fact]
    public async Task A_write_whose_mutation_throws_is_answered_500_problem_json_logged_once_with_its_key_and_counted_and_the_node_goes_on()
    {
        var hooks = new NodeHooks { BeforeMutation = key => { if (key == "poison/mutation") { throw new InjectedFaultException("injected mutation fault"); } } };
        await using var node = await TestNode.StartAsync("node-1", hooks);

        using var answer = await node.PutAsync("poison/mutation", "gcounter", """{"op":"increment","by":1}""");

        await AssertProblemAsync(answer, HttpStatusCode.InternalServerError, "injected mutation fault");
        var lines = node.Logs.Entries.Where(e => e.Message.Contains("injected mutation fault", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1 && lines[0].Message.Contains("poison/mutation", StringComparison.Ordinal), "the failure is logged once, with the key: " + string.Join(" | ", lines.Select(l => l.Message)));
        Assert.Equal(1, await node.MetricAsync("jarvis_request_failures_total"));
        await AssertServingAsync(node);
    }

    [Fact]
    public async Task An_output_that_throws_while_it_is_performed_fails_only_its_request_and_the_loop_serves_the_next_one()
    {
        // Defect 1: the counter's value threw while the write's answer was rendered — an output, performed
        // outside the input's guard — and the loop died. Any output may throw here; the answer to a write is one.
        var armed = 0;
        var hooks = new NodeHooks { BeforeOutput = output => { if (output is WriteCompleted && Interlocked.Exchange(ref armed, 0) == 1) { throw new InjectedFaultException("injected render fault"); } } };
        await using var node = await TestNode.StartAsync("node-1", hooks);

        Volatile.Write(ref armed, 1);
        using var answer = await node.PutAsync("poison/output", "pncounter", """{"op":"decrement","by":9223372036854775807}""");

        await AssertProblemAsync(answer, HttpStatusCode.InternalServerError, "poison/output");
        Assert.Contains(node.Logs.Entries, e => e.Message.Contains("performing WriteCompleted (key poison/output)", StringComparison.Ordinal) && e.Message.Contains("injected render fault", StringComparison.Ordinal));
        Assert.Equal(1, await node.MetricAsync("jarvis_loop_failures_total", "loop=\"replica\""));
        using var again = await node.PutAsync("poison/output", "pncounter", """{"op":"decrement","by":1}""");
        Assert.True(again.StatusCode == HttpStatusCode.OK, $"the next write to the same key is served: {await again.Content.ReadAsStringAsync()}");
        await AssertServingAsync(node);
    }

    [Fact]
    public async Task The_outputs_after_one_that_throws_are_still_performed()
    {
        // A write emits its change notification before its storage request: if the first throws, the write must
        // still be persisted and acknowledged.
        var armed = 1;
        var hooks = new NodeHooks { BeforeOutput = output => { if (output is ObjectChanged { Key: "after/fault" } && Interlocked.Exchange(ref armed, 0) == 1) { throw new InjectedFaultException("injected notification fault"); } } };
        await using var node = await TestNode.StartAsync("node-1", hooks);

        using var answer = await node.PutAsync("after/fault", "set", """{"op":"add","value":"kept"}""");

        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"the write is persisted and acknowledged although an output before its storage request threw: {await answer.Content.ReadAsStringAsync()}");
        Assert.Equal(1, await node.MetricAsync("jarvis_loop_failures_total", "loop=\"replica\""));
        Assert.Contains(node.Logs.Entries, e => e.Message.Contains("performing ObjectChanged (key after/fault)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_received_entry_whose_join_throws_is_refused_and_logged_with_its_key_while_the_rest_of_the_message_applies()
    {
        var hooks = new NodeHooks { RegisterTypes = types => types.Register<FaultyMax>() };
        await using var node = await TestNode.StartAsync("node-1", hooks);
        var peer = ReplicaId.FromName("node-2");
        var batch = new DeltaBatch(1, 4, [SetEntry(peer, "joined/before", "a"), FaultyMax.Entry("poison/join", FaultyMax.ThrowsOnJoin), SetEntry(peer, "joined/after", "b")], 1);

        await node.Runtime.ReceiveAsync(peer, "node-2", MessageCodec.Encode(batch));

        Assert.True(await Eventually.HoldsAsync(async () => (await node.Client.GetAsync("v1/objects/joined/after")).StatusCode == HttpStatusCode.OK), "the entry after the throwing one is joined");
        Assert.Equal(HttpStatusCode.OK, (await node.Client.GetAsync("v1/objects/joined/before")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Client.GetAsync("v1/objects/poison/join")).StatusCode);
        Assert.Contains(node.Logs.Entries, e => e.Message.Contains("'poison/join' could not be joined", StringComparison.Ordinal) && e.Message.Contains("injected join fault", StringComparison.Ordinal));
        Assert.Equal(1, await node.MetricAsync("jarvis_protocol_errors_total"));
        await AssertServingAsync(node);
    }

    [Fact]
    public async Task Healthz_is_200_while_the_loop_runs_and_503_while_it_is_stalled()
    {
        await using var node = await TestNode.StartAsync("node-1", new NodeHooks { LoopStallThreshold = TimeSpan.FromMilliseconds(300) });
        // The threshold is short to keep the test quick, so on a loaded machine a loop merely starved of a thread
        // for 300 ms already reads as stalled: wait for a running loop rather than take one probe as the answer.
        Assert.True(await Eventually.HoldsAsync(async () => (await node.Client.GetAsync("healthz")).StatusCode == HttpStatusCode.OK), "/healthz is 200 while the loop runs");
        using var gate = new ManualResetEventSlim();
        try
        {
            await node.Runtime.PostAsync(gate.Wait, "a test that stalls the loop");

            Assert.True(await Eventually.HoldsAsync(async () => (await node.Client.GetAsync("healthz")).StatusCode == HttpStatusCode.ServiceUnavailable), "a stalled loop makes /healthz 503");
            using var health = await node.Client.GetAsync("healthz");
            Assert.Contains("stalled", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await node.Client.GetAsync("readyz")).StatusCode);
        }
        finally
        {
            gate.Set();
        }
        Assert.True(await Eventually.HoldsAsync(async () => (await node.Client.GetAsync("healthz")).StatusCode == HttpStatusCode.OK), "/healthz is 200 again once the loop runs");
    }

    [Fact]
    public async Task Stopping_with_requests_in_flight_on_a_stalled_loop_is_prompt_and_answers_them_503()
    {
        // The write stalls the loop from inside its own mutation, so it is surely in flight when the stop begins.
        using var gate = new ManualResetEventSlim();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hooks = new NodeHooks
        {
            BeforeMutation = key =>
            {
                if (key == "in/flight")
                {
                    arrived.TrySetResult();
                    gate.Wait();
                }
            },
        };
        var node = await TestNode.StartAsync("node-1", hooks);
        try
        {
            using var watch = await node.Client.GetAsync("v1/watch?prefix=", HttpCompletionOption.ResponseHeadersRead);
            var write = node.PutAsync("in/flight", "gcounter", """{"op":"increment"}""");
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var clock = Stopwatch.StartNew();
            await node.StopAsync();
            clock.Stop();

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the node stops within a few seconds although its loop is stalled, a write waits on it and a watch is open (took {clock.Elapsed.TotalSeconds:F1} s)");
            using var answer = await write;
            await AssertProblemAsync(answer, HttpStatusCode.ServiceUnavailable, "stopping");
        }
        finally
        {
            gate.Set();
            await node.DisposeAsync();
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage answer, HttpStatusCode status, string detailContains)
    {
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == status, $"expected {status}, got {answer.StatusCode}: {text}");
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.Contains(detailContains, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>The loop still serves every kind of request, and liveness says so.</summary>
    private static async Task AssertServingAsync(TestNode node)
    {
        using var write = await node.PutAsync("still/serving", "gcounter", """{"op":"increment","by":2}""");
        Assert.True(write.StatusCode == HttpStatusCode.OK, "a later write is served");
        Assert.Equal(HttpStatusCode.OK, (await node.Client.GetAsync("v1/objects/still/serving")).StatusCode);
        foreach (var path in new[] { "v1/keys", "v1/status", "v1/digest", "healthz", "readyz" })
        {
            Assert.True((await node.Client.GetAsync(path)).StatusCode == HttpStatusCode.OK, $"{path} is served after the failure");
        }
    }

    private static WireObject SetEntry(ReplicaId writer, string key, string element)
        => new(key, CrdtTypeRegistry.NameOf(typeof(ORSet<string>)), CrdtEncoding.Encode(new ORSet<string>().Add(writer, element)));

    private sealed class InjectedFaultException(string message) : Exception(message);
}
