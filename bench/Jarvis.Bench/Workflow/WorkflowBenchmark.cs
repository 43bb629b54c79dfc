using Jarvis.Bench.Measurement;
using Jarvis.Crdt;
using Jarvis.Crdt.Encoding;

namespace Jarvis.Bench.Workflow;

/// <summary>
/// The two measurements of the <c>workflow</c> command. Every delta crosses between replicas through its encoding
/// (encode, decode, join), so the figures include the cost of carrying and re-validating the definition in each delta.
/// </summary>
internal static class WorkflowBenchmark
{
    private static readonly ReplicaId A = new(1);
    private static readonly ReplicaId B = new(2);
    private static readonly ReplicaId C = new(3);

    private static readonly WorkflowDefinition Review = new(
        "review",
        ["Draft", "Submitted", "Approved", "Rejected", "Archived"],
        [("Draft", "Submitted"), ("Submitted", "Approved"), ("Submitted", "Rejected"), ("Approved", "Archived"), ("Rejected", "Archived")]);

    /// <summary>
    /// Per instance, on two replicas: a submits, b receives it; a approves while b rejects concurrently; each receives the
    /// other's delta. Three transitions and three shipped deltas per instance.
    /// </summary>
    /// <exception cref="InvalidOperationException">An instance did not converge to Rejected.</exception>
    public static (Sample Sample, long WireBytes) MeasureInstances(int instances, MeasurementPlan plan)
    {
        var measured = IterationSampler.Run(plan, () => instances, count =>
        {
            long bytes = 0;
            for (var i = 0; i < count; i++)
            {
                var a = Jarvis.Crdt.Workflow.Create(Review);
                var b = new Jarvis.Crdt.Workflow();
                bytes += Ship(a.Transition(A, "Submitted"), b);
                var approve = a.Transition(A, "Approved");
                var reject = b.Transition(B, "Rejected");
                bytes += Ship(reject, a);
                bytes += Ship(approve, b);
                if (a.State != "Rejected" || b.State != "Rejected")
                {
                    throw new InvalidOperationException($"instance {i} ended at {a.State} and {b.State}, not Rejected");
                }
            }
            return bytes;
        });
        return (measured.Median, measured.Output);
    }

    /// <summary>
    /// A layered DAG of <paramref name="steps"/> steps (layers of 10, each step after two of the previous layer) run to
    /// completion by three replicas: in each round every replica starts and completes the runnable steps it owns
    /// (step index mod 3) and ships each delta to the two others.
    /// </summary>
    /// <exception cref="InvalidOperationException">The replicas did not all complete the plan, or diverged.</exception>
    public static (Sample Sample, long Operations, long WireBytes, int Rounds) MeasurePlan(int steps, MeasurementPlan plan)
    {
        var definition = LayeredPlan(steps);
        var owners = new[] { A, B, C };
        var measured = IterationSampler.Run(plan, () => definition, def =>
        {
            var replicas = owners.Select(_ => WorkflowPlan.Create(def)).ToArray();
            long operations = 0, bytes = 0;
            var rounds = 0;
            while (!replicas[0].IsComplete)
            {
                rounds++;
                var deltas = new List<(int From, WorkflowPlan Delta)>();
                for (var r = 0; r < replicas.Length; r++)
                {
                    foreach (var step in replicas[r].RunnableSteps())
                    {
                        if (def.IndexOf(step) % owners.Length == r)
                        {
                            deltas.Add((r, replicas[r].Start(owners[r], step)));
                            deltas.Add((r, replicas[r].Complete(owners[r], step)));
                            operations += 2;
                        }
                    }
                }
                foreach (var (from, delta) in deltas)
                {
                    for (var r = 0; r < replicas.Length; r++)
                    {
                        if (r != from)
                        {
                            bytes += Ship(delta, replicas[r]);
                        }
                    }
                }
                if (rounds > steps + 1)
                {
                    throw new InvalidOperationException("the plan made no progress");
                }
            }
            if (!replicas.All(p => p.IsComplete)
                || !replicas.All(p => CrdtEncoding.Encode(p).AsSpan().SequenceEqual(CrdtEncoding.Encode(replicas[0]))))
            {
                throw new InvalidOperationException("the replicas did not converge on a completed plan");
            }
            return (operations, bytes, rounds);
        });
        return (measured.Median, measured.Output.operations, measured.Output.bytes, measured.Output.rounds);
    }

    private static WorkflowPlanDefinition LayeredPlan(int steps)
    {
        const int width = 10;
        var list = new List<WorkflowStep>(steps);
        for (var i = 0; i < steps; i++)
        {
            var layer = i / width;
            var previous = (layer - 1) * width;
            list.Add(layer == 0
                ? new WorkflowStep($"s{i}")
                : new WorkflowStep($"s{i}", $"s{previous + (i % width)}", $"s{previous + ((i + 1) % width)}"));
        }
        return new WorkflowPlanDefinition("layered", list);
    }

    private static int Ship<T>(T delta, T into) where T : class, ICrdt<T>
    {
        var bytes = CrdtEncoding.Encode(delta);
        into.Join(CrdtEncoding.Decode<T>(bytes));
        return bytes.Length;
    }
}
