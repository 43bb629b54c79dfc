using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Jarvis.Cli.Internal;
using Spectre.Console;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis status</c>: a node's health, members and replication lag, from <c>/readyz</c> and <c>/v1/status</c>.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var url = CommonOptions.Url();
        var status = new Command("status", "Show a node's health, its members and the replication lag to each peer.") { url };
        status.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            using var client = new JarvisClient(address);
            JsonElement document;
            try
            {
                document = await client.StatusAsync(ct);
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
            var ready = await client.IsReadyAsync(ct);
            Render(document, ready, address);
            return ExitCodes.Success;
        });
        return status;
    }

    private static void Render(JsonElement status, bool ready, Uri address)
    {
        var summary = new Grid().AddColumn().AddColumn();
        summary.AddRow("[bold]node[/]", Markup.Escape($"{Text(status, "name")} ({Text(status, "replicaId")}) at {address}"));
        summary.AddRow("[bold]ready[/]", ready ? "[green]yes[/]" : "[yellow]no[/] (/readyz is not 200)");
        if (status.TryGetProperty("membership", out var membership))
        {
            var state = Text(membership, "state");
            var detail = membership.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? " — " + d.GetString() : string.Empty;
            summary.AddRow("[bold]membership[/]", $"[{(state == "member" ? "green" : "yellow")}]{Markup.Escape(state)}[/]{Markup.Escape(detail)}");
            if (membership.TryGetProperty("quorum", out var quorum))
            {
                summary.AddRow("[bold]quorum[/]", Markup.Escape($"majority {Text(quorum, "majority")} of {Text(quorum, "members")} members"));
            }
        }
        summary.AddRow("[bold]keys[/]", Markup.Escape(Text(status, "keys")));
        summary.AddRow("[bold]sequence[/]", Markup.Escape($"{Text(status, "lastSequence")} written, {Text(status, "durableSequence")} durable"));
        if (status.TryGetProperty("deltaBuffer", out var buffer))
        {
            summary.AddRow("[bold]delta buffer[/]", Markup.Escape($"{Text(buffer, "count")} deltas, {Text(buffer, "bytes")} bytes"));
        }
        Terminal.Out.Write(summary);

        var members = new Table().Title("members").AddColumns("name", "replica", "status", "incarnation", "address");
        foreach (var member in Array(status, "members"))
        {
            var state = Text(member, "status");
            var colour = state.ToUpperInvariant() is "UP" or "ALIVE" ? "green" : "yellow";
            members.AddRow(
                Markup.Escape(Text(member, "name")),
                Markup.Escape(Text(member, "replicaId")),
                $"[{colour}]{Markup.Escape(state)}[/]",
                Markup.Escape(Text(member, "incarnation")),
                Markup.Escape(Text(member, "address")));
        }
        Terminal.Out.Write(members);

        var peers = new Table().Title("peers").AddColumns("name", "replica", "connected", "lag (records)");
        foreach (var peer in Array(status, "peers"))
        {
            var connected = peer.TryGetProperty("connected", out var c) && c.ValueKind == JsonValueKind.True;
            peers.AddRow(
                Markup.Escape(Text(peer, "name")),
                Markup.Escape(Text(peer, "replicaId")),
                connected ? "[green]yes[/]" : "[red]no[/]",
                Markup.Escape(Text(peer, "lagRecords")));
        }
        Terminal.Out.Write(peers);
    }

    private static List<JsonElement> Array(JsonElement element, string name)
        => element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray()] : [];

    private static string Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return "-";
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? string.Empty,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "-",
            _ => value.GetRawText(),
        };
    }

    /// <summary>Formats a number for tables.</summary>
    internal static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
