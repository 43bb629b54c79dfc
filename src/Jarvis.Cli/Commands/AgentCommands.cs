using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Jarvis.Cli.Internal;
using Spectre.Console;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis agents ls</c>: the agents a node knows, hosted anywhere in the cluster.</summary>
internal static class AgentCommands
{
    public static Command Create()
    {
        var agents = new Command("agents", "List the cluster's agents.");
        agents.Add(CreateList());
        return agents;
    }

    private static Command CreateList()
    {
        var url = CommonOptions.Url();
        var list = new Command("ls", "Print a table of the agents the node knows: id, node, status, running/capacity, capabilities (with proficiency).") { url };
        list.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            using var client = new JarvisClient(address);
            try
            {
                var known = await client.AgentsAsync(ct);
                if (known.Count == 0)
                {
                    Terminal.Note($"No agents are known on {address}.");
                    return ExitCodes.Success;
                }
                var table = new Table().AddColumns("id", "node", "status", "running/capacity", "capabilities");
                foreach (var agent in known.OrderBy(a => a.GetProperty("id").GetString(), StringComparer.Ordinal))
                {
                    table.AddRow(
                        Markup.Escape(agent.GetProperty("id").GetString() ?? string.Empty),
                        Markup.Escape(agent.GetProperty("node").GetString() ?? string.Empty),
                        Markup.Escape(agent.GetProperty("status").GetString() ?? string.Empty),
                        string.Create(CultureInfo.InvariantCulture, $"{agent.GetProperty("running").GetInt32()}/{agent.GetProperty("capacity").GetInt32()}"),
                        Markup.Escape(Capabilities(agent)));
                }
                Terminal.Out.Write(table);
                return ExitCodes.Success;
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return list;
    }

    private static string Capabilities(JsonElement agent)
        => string.Join(", ", agent.GetProperty("capabilities").EnumerateObject().Select(c =>
            string.Create(CultureInfo.InvariantCulture, $"{c.Name} ({c.Value.GetProperty("proficiency").GetDouble():0.##})")));
}
