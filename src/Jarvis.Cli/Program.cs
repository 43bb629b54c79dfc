// The jarvis command: certificates, a node, a local cluster, client commands and the partition-and-heal demo.
using System.CommandLine;
using Jarvis.Cli.Commands;
using Jarvis.Cli.Internal;

var root = new RootCommand("jarvis: run Jarvis nodes and local clusters, read and write objects, run agents' tasks and plans, and watch a partition heal (jarvis demo).")
{
    CertCommands.Create(),
    NodeRunCommand.Create(),
    ClusterUpCommand.Create(),
    StatusCommand.Create(),
    MemberCommands.Create(),
    ObjectCommands.CreatePut(),
    ObjectCommands.CreateDelete(),
    ObjectCommands.CreateGet(),
    ObjectCommands.CreateKeys(),
    AgentCommands.Create(),
    TaskCommands.Create(),
    PlanCommands.Create(),
    DemoCommand.Create(),
};
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Terminal.Fail(error.Message);
    }
    Terminal.Note("Run 'jarvis --help' or 'jarvis COMMAND --help' for usage.");
    return ExitCodes.Usage;
}
// Stopping child nodes gracefully takes a few seconds; the default two-second grace after Ctrl+C is too short.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
