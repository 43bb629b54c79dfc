using System.Globalization;
using System.Text.Json;

namespace Jarvis.Bench.Replication;

/// <summary>
/// <c>sim [--json] [--replicas 100,1000] [--loss 0.1] [--updates N] [--fanout N] [--seed N]</c>: convergence
/// of simulated clusters after a partition heals, in simulated milliseconds, with the messages and bytes
/// spent per update. Exit code 1 if a cluster does not converge within the cap.
/// </summary>
internal sealed class SimConvergenceCommand : IBenchCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "sim";

    public string Summary => "simulated convergence after a partition heals, with message loss: time, messages and bytes per update";

    public string Usage => "[--json] [--replicas 100,1000] [--loss 0.1] [--updates 200] [--fanout 4] [--seed 1]";

    public int Run(string[] args)
    {
        var json = false;
        int[] sizes = [100, 1_000];
        var loss = 0.1;
        var updates = 200;
        var fanout = 4;
        var seed = 1;
        for (var i = 0; i < args.Length; i++)
        {
            var ok = args[i] switch
            {
                "--json" => json = true,
                "--replicas" => CommandLine.TryReadList(args, ref i, 2, out sizes),
                "--loss" => CommandLine.TryReadFraction(args, ref i, out loss),
                "--updates" => CommandLine.TryReadCount(args, ref i, 1, out updates),
                "--fanout" => CommandLine.TryReadCount(args, ref i, 1, out fanout),
                "--seed" => CommandLine.TryReadCount(args, ref i, 0, out seed),
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"{Name}: bad option '{args[i]}'");
                Console.Error.WriteLine($"usage: {Name} {Usage}");
                return 2;
            }
        }

        var failed = false;
        if (!json)
        {
            Console.WriteLine($"partition into halves for {PartitionHealScenario.PartitionMs} ms with {updates} updates, then heal; {loss:P0} loss throughout; gossip fan-out {fanout} beyond 16 peers");
            Console.WriteLine("replicas  loss  convergence ms (simulated)  messages/update  bytes/update  wall s");
        }
        foreach (var replicas in sizes)
        {
            Console.Error.WriteLine($"simulating {replicas} replicas...");
            var r = PartitionHealScenario.Run(replicas, loss, updates, fanout, seed);
            failed |= r.ConvergenceMs is null;
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(r, JsonOptions));
            }
            else
            {
                var converged = r.ConvergenceMs is { } ms ? ms.ToString(CultureInfo.InvariantCulture) : $"> {PartitionHealScenario.CapMs}";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Replicas,8}  {r.LossRate,4:F2}  {converged,26}  {r.MessagesPerUpdate,15:F1}  {r.BytesPerUpdate,12:F0}  {r.WallSeconds,6:F1}"));
            }
        }
        return failed ? 1 : 0;
    }
}
