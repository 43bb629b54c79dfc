using System.Globalization;
using System.Text.Json;
using Jarvis.Bench.Measurement;

namespace Jarvis.Bench.Workflow;

/// <summary>
/// <c>workflow [--json] [--instances N] [--steps N]</c>: Workflow transitions per second with conflicting concurrent moves,
/// and a WorkflowPlan DAG driven to completion by three replicas, every delta shipped through its encoding.
/// </summary>
internal sealed class WorkflowCommand : IBenchCommand
{
    private const int DefaultInstances = 10_000;
    private const int DefaultSteps = 200;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "workflow";

    public string Summary => "Workflow: transitions/s with concurrent conflicts; WorkflowPlan: a DAG run to completion by 3 replicas";

    public string Usage => $"[--json] [--instances N (default {DefaultInstances:N0})] [--steps N (default {DefaultSteps:N0})]";

    public int Run(string[] args)
    {
        var json = false;
        var instances = DefaultInstances;
        var steps = DefaultSteps;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--instances" when TryReadCount(args, ref i, out var n):
                    instances = n;
                    break;
                case "--steps" when TryReadCount(args, ref i, out var n):
                    steps = n;
                    break;
                default:
                    Console.Error.WriteLine($"{Name}: bad option '{args[i]}'");
                    Console.Error.WriteLine($"usage: {Name} {Usage}");
                    return 2;
            }
        }

        try
        {
            var plan = new MeasurementPlan(MeasurementPlan.DefaultWarmupIterations, MeasuredIterations: 11);
            var (instanceSample, instanceBytes) = WorkflowBenchmark.MeasureInstances(instances, plan);
            var (planSample, operations, planBytes, rounds) = WorkflowBenchmark.MeasurePlan(steps, plan);
            var transitions = instances * 3L;
            var transitionsPerSecond = transitions / (instanceSample.Milliseconds / 1000);
            var stepOpsPerSecond = operations / (planSample.Milliseconds / 1000);
            var shippedPlanDeltas = operations * 2;
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        workflowTransitionsPerSecond = Math.Round(transitionsPerSecond),
                        workflowDeltaBytes = Math.Round((double)instanceBytes / transitions, 1),
                        planStepOperationsPerSecond = Math.Round(stepOpsPerSecond),
                        planDeltaBytes = Math.Round((double)planBytes / shippedPlanDeltas, 1),
                        planSteps = steps,
                        planRounds = rounds,
                    },
                    JsonOptions));
            }
            else
            {
                Console.Out.WriteLine($"Workflow: {instances:N0} instances x 3 transitions (submit; approve || reject), each delta encoded, decoded and joined");
                Console.Out.WriteLine($"  {transitionsPerSecond:N0} transitions/s (median of {plan.MeasuredIterations}: {instanceSample.Milliseconds:N1} ms, {instanceSample.AllocatedBytes / (double)transitions:N0} B allocated per transition), {(double)instanceBytes / transitions:N1} B per delta");
                Console.Out.WriteLine($"WorkflowPlan: {steps:N0} steps in layers of 10 (each after 2 of the previous layer), 3 replicas, {rounds} rounds");
                Console.Out.WriteLine($"  {stepOpsPerSecond:N0} Start/Complete per second including shipping each delta to 2 replicas (median {planSample.Milliseconds:N1} ms for {operations:N0} operations), {(double)planBytes / shippedPlanDeltas:N1} B per delta");
            }
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"CHECK FAILED: {e.Message}");
            return 1;
        }
    }

    private static bool TryReadCount(string[] args, ref int i, out int value)
    {
        value = 0;
        if (i + 1 < args.Length
            && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= 1)
        {
            i++;
            return true;
        }
        return false;
    }
}
