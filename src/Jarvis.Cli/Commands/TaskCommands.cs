using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Cli.Internal;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis tasks submit|get|cancel|watch</c>: HTTP clients of a node's <c>/v1/tasks</c>.</summary>
internal static class TaskCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var tasks = new Command("tasks", "Submit, read, cancel and watch tasks.");
        tasks.Add(CreateSubmit());
        tasks.Add(CreateGet());
        tasks.Add(CreateCancel());
        tasks.Add(CreateWatch());
        return tasks;
    }

    /// <summary>
    /// <c>jarvis tasks submit --capability C …</c>: prints the task's id; with <c>--wait</c>, reads the task every
    /// 250 ms until it is final and prints its state and result (exit 0 only if it Succeeded).
    /// </summary>
    private static Command CreateSubmit()
    {
        var url = CommonOptions.Url();
        var capability = new Option<string[]>("--capability", "-c") { Description = "A capability the agent must have (repeat for several).", Required = true, Arity = ArgumentArity.OneOrMore };
        var input = new Option<string?>("--input", "-i") { Description = "The task's input text." };
        var inputFile = new Option<string?>("--input-file") { Description = "Read the task's input from this file." };
        var key = new Option<string?>("--key", "-k") { Description = "The idempotency key: submitting the same key again gives the same task." };
        var priority = new Option<int?>("--priority") { Description = "Higher runs first (-1000 to 1000; default 0)." };
        var mode = new Option<string?>("--mode") { Description = "at-least-once (default) or exclusive." };
        mode.AcceptOnlyFromAmong("at-least-once", "exclusive");
        var heartbeat = new Option<long?>("--heartbeat-timeout-ms") { Description = "The lease: a run not renewed within this fails over (default 10000)." };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until the task is final; print its state and result (exit 1 unless it Succeeded)." };
        var submit = new Command("submit", "Submit a task and print its id.") { capability, input, inputFile, key, priority, mode, heartbeat, wait, url };
        submit.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            var text = parse.GetValue(input);
            if (parse.GetValue(inputFile) is { } file)
            {
                if (text is not null)
                {
                    Terminal.Fail("Give the input with --input or --input-file, not both.");
                    return ExitCodes.Usage;
                }
                try
                {
                    text = await File.ReadAllTextAsync(file, ct);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Terminal.Fail($"--input-file: cannot read '{file}': {e.Message}");
                    return ExitCodes.Usage;
                }
            }
            var spec = new JsonObject
            {
                ["capabilities"] = new JsonArray([.. parse.GetValue(capability)!.Select(c => (JsonNode?)JsonValue.Create(c))]),
                ["input"] = text ?? string.Empty,
            };
            if (parse.GetValue(key) is { } k)
            {
                spec["idempotencyKey"] = k;
            }
            if (parse.GetValue(priority) is { } p)
            {
                spec["priority"] = p;
            }
            if (parse.GetValue(mode) is { } m)
            {
                spec["mode"] = m == "exclusive" ? "Exclusive" : "AtLeastOnce";
            }
            if (parse.GetValue(heartbeat) is { } h)
            {
                spec["heartbeatTimeoutMs"] = h;
            }
            using var client = new JarvisClient(address);
            try
            {
                var (status, task) = await client.SubmitTaskAsync(spec, ct);
                var id = task.GetProperty("id").GetString()!;
                Console.Out.WriteLine(id);
                if (status == System.Net.HttpStatusCode.Accepted)
                {
                    Terminal.Note("The submission is kept but was not acknowledged at its consistency level in time; it is still replicating.");
                }
                if (!parse.GetValue(wait))
                {
                    return ExitCodes.Success;
                }
                var final = await TaskPolling.UntilFinalAsync(token => client.TaskAsync(id, token), changed: null, ct);
                return PrintOutcome(final);
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return submit;
    }

    private static Command CreateGet()
    {
        var url = CommonOptions.Url();
        var id = new Argument<string>("ID") { Description = "The task's id." };
        var get = new Command("get", "Print a task's view as JSON: state, result, runs (who ran which attempt, when, with what outcome).") { id, url };
        get.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            using var client = new JarvisClient(address);
            try
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(await client.TaskAsync(parse.GetValue(id)!, ct), Indented));
                return ExitCodes.Success;
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return get;
    }

    private static Command CreateCancel()
    {
        var url = CommonOptions.Url();
        var id = new Argument<string>("ID") { Description = "The task's id." };
        var cancel = new Command("cancel", "Cancel a task: its runs are stopped wherever they run (a final task is refused).") { id, url };
        cancel.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            using var client = new JarvisClient(address);
            try
            {
                var task = await client.CancelTaskAsync(parse.GetValue(id)!, ct);
                Console.Out.WriteLine($"{task.GetProperty("id").GetString()} {TaskPolling.State(task)}");
                return ExitCodes.Success;
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return cancel;
    }

    /// <summary><c>jarvis tasks watch ID</c>: one line per change of state until the task is final (by polling; the node has no event stream yet).</summary>
    private static Command CreateWatch()
    {
        var url = CommonOptions.Url();
        var id = new Argument<string>("ID") { Description = "The task's id." };
        var watch = new Command("watch", "Print each change of a task's state (read every 250 ms) until it is final; exit 0 only if it Succeeded.") { id, url };
        watch.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            using var client = new JarvisClient(address);
            try
            {
                var final = await TaskPolling.UntilFinalAsync(token => client.TaskAsync(parse.GetValue(id)!, token), view => Console.Out.WriteLine(Change(view)), ct);
                return PrintOutcome(final);
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return watch;
    }

    /// <summary>Prints a final task's state and result (or its last run's error); 0 if it Succeeded, else 1.</summary>
    private static int PrintOutcome(JsonElement task)
    {
        var state = TaskPolling.State(task);
        Console.Out.WriteLine(state);
        if (state == "Succeeded")
        {
            Console.Out.WriteLine(task.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.String ? result.GetString() : string.Empty);
            return ExitCodes.Success;
        }
        if (LastRun(task) is { } run && run.TryGetProperty("text", out var why) && why.ValueKind == JsonValueKind.String)
        {
            Terminal.Fail($"task {task.GetProperty("id").GetString()} is {state}: {why.GetString()}");
        }
        else
        {
            Terminal.Fail($"task {task.GetProperty("id").GetString()} is {state}.");
        }
        return ExitCodes.Failure;
    }

    /// <summary>A state change as one line: time, state, and the latest run's attempt, agent and outcome; or why no agent takes the task.</summary>
    private static string Change(JsonElement task)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:HH:mm:ss.fff} {TaskPolling.State(task)}");
        if (LastRun(task) is { } run)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" attempt {run.GetProperty("attempt").GetInt32()} on {run.GetProperty("agent").GetString()} ({run.GetProperty("node").GetString()}): {run.GetProperty("outcome").GetString()}");
        }
        if (task.TryGetProperty("unassignable", out var why) && why.ValueKind == JsonValueKind.String)
        {
            line += " — " + why.GetString();
        }
        return line;
    }

    private static JsonElement? LastRun(JsonElement task)
        => task.TryGetProperty("runs", out var runs) && runs.ValueKind == JsonValueKind.Array && runs.GetArrayLength() > 0 ? runs[runs.GetArrayLength() - 1] : null;
}
