// Jarvis benchmark harness: one subcommand per job, dispatched on the first argument.
using Jarvis.Bench;
using Jarvis.Bench.AkkaCompare;
using Jarvis.Bench.AntiEntropy;
using Jarvis.Bench.Http;
using Jarvis.Bench.Replication;
using Jarvis.Bench.Trace;
using Jarvis.Bench.Writes;

IBenchCommand[] commands =
[
    new AkkaCompareCommand(),
    new AntiEntropyCommand(),
    new WritesCommand(),
    new SimConvergenceCommand(),
    new WireBytesCommand(),
    new HttpCommand(),
    new TraceCommand(),
    new Jarvis.Bench.Voting.BallotCommand(),
    new Jarvis.Bench.TimeSeries.TimeSeriesCommand(),
    new Jarvis.Bench.Workflow.WorkflowCommand(),
    new Jarvis.Bench.Graph.GraphCommand(),
    new Jarvis.Bench.Assignment.AssignCommand(),
    new Jarvis.Bench.Coordinate.CoordinateCommand(),
    new Jarvis.Bench.Schedule.ScheduleCommand(),
];

if (args.Length > 0 && args[0] is "help" or "--help" or "-h")
{
    PrintUsage(Console.Out);
    return 0;
}
var command = args.Length == 0 ? null : Array.Find(commands, c => c.Name == args[0]);
if (command is null)
{
    if (args.Length > 0)
    {
        Console.Error.WriteLine($"Unknown command '{args[0]}'.");
    }
    PrintUsage(Console.Error);
    return 2;
}
return command.Run(args[1..]);

void PrintUsage(TextWriter output)
{
    output.WriteLine("usage: dotnet run -c Release --project bench/Jarvis.Bench -- <command> [options]");
    output.WriteLine();
    output.WriteLine("commands:");
    foreach (var c in commands)
    {
        output.WriteLine($"  {c.Name,-16} {c.Summary}");
        output.WriteLine($"  {string.Empty,-16} {c.Usage}");
    }
}
