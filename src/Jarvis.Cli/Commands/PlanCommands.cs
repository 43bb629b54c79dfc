using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Agents.Scheduling;
using Jarvis.Cli.Internal;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis plans submit FILE</c>: a plan as the API's JSON <c>PlanSpec</c>, or a Standard Task Graph (<c>.stg</c>) made into one.</summary>
internal static class PlanCommands
{
    public static Command Create()
    {
        var plans = new Command("plans", "Submit plans (DAGs of tasks).");
        plans.Add(CreateSubmit());
        return plans;
    }

    private static Command CreateSubmit()
    {
        var url = CommonOptions.Url();
        var file = new Argument<string>("FILE") { Description = "A JSON PlanSpec ({\"steps\":[{\"name\",\"task\",\"dependsOn\"}]}), or an .stg task graph." };
        var capability = new Option<string>("--capability", "-c") { Description = ".stg: the capability every step needs (default echo).", DefaultValueFactory = _ => "echo" };
        var msPerUnit = new Option<double>("--ms-per-unit") { Description = ".stg: a step's estimatedMs is its cost times this (default 10).", DefaultValueFactory = _ => 10 };
        var key = new Option<string?>("--key", "-k") { Description = "The idempotency key: submitting the same key again gives the same plan." };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until the plan is final; print each step's state (exit 1 unless every step Succeeded)." };
        var submit = new Command("submit", "Submit a plan and print its id.") { file, capability, msPerUnit, key, wait, url };
        submit.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            var path = parse.GetValue(file)!;
            if (parse.GetValue(msPerUnit) is var scale && (double.IsNaN(scale) || scale < 0))
            {
                Terminal.Fail("--ms-per-unit must be a number of at least 0.");
                return ExitCodes.Usage;
            }
            if (!TryRead(path, parse.GetValue(capability)!, scale, out var plan))
            {
                return ExitCodes.Usage;
            }
            if (parse.GetValue(key) is { } k)
            {
                plan["idempotencyKey"] = k;
            }
            using var client = new JarvisClient(address);
            try
            {
                var (status, view) = await client.SubmitPlanAsync(plan, ct);
                var id = view.GetProperty("id").GetString()!;
                Console.Out.WriteLine(id);
                if (status == System.Net.HttpStatusCode.Accepted)
                {
                    Terminal.Note("The submission is kept but was not acknowledged at its consistency level in time; it is still replicating.");
                }
                if (!parse.GetValue(wait))
                {
                    return ExitCodes.Success;
                }
                var final = await TaskPolling.UntilFinalAsync(token => client.PlanAsync(id, token), changed: null, ct);
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

    /// <summary>Reads FILE as an STG graph (by its .stg extension) or a JSON object; explains a failure and returns false.</summary>
    private static bool TryRead(string path, string capability, double msPerUnit, out JsonObject plan)
    {
        plan = null!;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Terminal.Fail($"cannot read '{path}': {e.Message}");
            return false;
        }
        if (path.EndsWith(".stg", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                plan = StgPlan.Parse(text, capability, msPerUnit);
                return true;
            }
            catch (StgFormatException e)
            {
                Terminal.Fail($"'{path}' is not a task graph: {e.Message}");
                return false;
            }
        }
        try
        {
            if (JsonNode.Parse(text) is JsonObject parsed)
            {
                plan = parsed;
                return true;
            }
        }
        catch (JsonException e)
        {
            Terminal.Fail($"'{path}' is not JSON: {e.Message}");
            return false;
        }
        Terminal.Fail($"'{path}' must hold a JSON object (a PlanSpec: {{\"steps\":[...]}}) or be an .stg task graph.");
        return false;
    }

    /// <summary>Prints the plan's state and one line per step (name, state, result); 0 if it Succeeded, else 1.</summary>
    private static int PrintOutcome(JsonElement plan)
    {
        var state = TaskPolling.State(plan);
        Console.Out.WriteLine(state);
        foreach (var step in plan.GetProperty("steps").EnumerateArray())
        {
            var result = step.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.String ? " " + r.GetString() : string.Empty;
            Console.Out.WriteLine($"  {step.GetProperty("name").GetString()} {TaskPolling.State(step)}{result}");
        }
        if (state == "Succeeded")
        {
            return ExitCodes.Success;
        }
        Terminal.Fail($"plan {plan.GetProperty("id").GetString()} is {state}.");
        return ExitCodes.Failure;
    }
}
