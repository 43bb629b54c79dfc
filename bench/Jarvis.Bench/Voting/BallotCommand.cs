using System.Globalization;
using System.Text.Json;
using Jarvis.Bench.Measurement;

namespace Jarvis.Bench.Voting;

/// <summary>
/// <c>ballot [--json] [--voters N,N,...]</c>: the cost of a whole election per electorate size (see
/// <see cref="BallotBenchmark"/>).
/// </summary>
internal sealed class BallotCommand : IBenchCommand
{
    private static readonly int[] DefaultVoters = [5, 101, 1001];

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Name => "ballot";

    public string Summary => "Ballot<string>: per-vote cast and tally cost, delta and state bytes, for electorates of several sizes";

    public string Usage => $"[--json] [--voters N,N,... (default {string.Join(",", DefaultVoters)})]";

    public int Run(string[] args)
    {
        var json = false;
        var sizes = DefaultVoters;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--json")
            {
                json = true;
            }
            else if (args[i] == "--voters" && i + 1 < args.Length && TryParseSizes(args[++i], out var parsed))
            {
                sizes = parsed;
            }
            else
            {
                Console.Error.WriteLine($"{Name}: bad option '{args[i]}'");
                Console.Error.WriteLine($"usage: {Name} {Usage}");
                return 2;
            }
        }

        var plan = new MeasurementPlan(MeasurementPlan.DefaultWarmupIterations, 7);
        BallotFigures[] figures;
        try
        {
            figures = [.. sizes.Select(n => BallotBenchmark.Measure(n, plan))];
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"CHECK FAILED: {e.Message}");
            return 1;
        }

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(figures, JsonOptions));
            return 0;
        }
        Console.Out.WriteLine("Ballot<string>, Majority, unit weights, every voter votes once at its own replica (median of 7 runs)");
        Console.Out.WriteLine();
        Console.Out.WriteLine($"{"voters",7}  {"cast µs/vote",12}  {"delta B",7}  {"tally µs/vote",13}  {"tally B alloc/vote",18}  {"state B",7}  {"decode state µs",15}  decision (after vote #)");
        foreach (var f in figures)
        {
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{f.Voters,7}  {f.CastMicrosPerVote,12:F2}  {f.DeltaBytes,7}  {f.TallyMicrosPerVote,13:F2}  {f.TallyAllocatedBytesPerVote,18:N0}  {f.StateBytes,7:N0}  {f.DecodeStateMicros,15:F1}  {f.Decision} (after #{f.DecidedAfterVote})"));
        }
        return 0;
    }

    private static bool TryParseSizes(string text, out int[] sizes)
    {
        var parts = text.Split(',');
        sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
            {
                return false;
            }
        }
        return true;
    }
}
