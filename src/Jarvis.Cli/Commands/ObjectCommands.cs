using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Cli.Internal;
using Spectre.Console;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis put</c>, <c>jarvis get</c> and <c>jarvis keys</c>: HTTP clients of a node's object API.</summary>
internal static class ObjectCommands
{
    private static readonly string[] Types = ["gcounter", "pncounter", "register", "mvregister", "set", "flag", "map"];
    private static readonly string[] Consistencies = ["local", "majority", "all"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command CreatePut()
    {
        var url = CommonOptions.Url();
        var key = new Argument<string>("KEY") { Description = "The object's key (1-512 of A-Z a-z 0-9 / _ . : -)." };
        var type = new Option<string>("--type", "-t") { Description = "The object's type.", Required = true };
        type.AcceptOnlyFromAmong(Types);
        var op = new Option<string>("--op", "-o") { Description = "increment, decrement, set, add, remove, enable or disable.", Required = true };
        var value = new Option<string[]>("--value", "-v") { Description = "The value to set, add or remove; repeat to add several to a set.", Arity = ArgumentArity.ZeroOrMore };
        var field = new Option<string?>("--field", "-f") { Description = "The map field to set or remove." };
        var by = new Option<long?>("--by") { Description = "The amount to increment or decrement by (default 1)." };
        var consistency = Consistency();
        var timeout = new Option<int?>("--timeout-ms") { Description = "How long the node waits for the consistency level before answering timedOut." };
        var put = new Command("put", "Apply one operation to an object.") { key, type, op, value, field, by, consistency, timeout, url };
        put.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            var operation = new JsonObject { ["op"] = parse.GetValue(op) };
            var values = parse.GetValue(value) ?? [];
            if (values.Length == 1)
            {
                operation["value"] = values[0];
            }
            else if (values.Length > 1)
            {
                operation["values"] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            }
            if (parse.GetValue(field) is { } f)
            {
                operation["field"] = f;
            }
            var operationName = parse.GetValue(op);
            var typeName = parse.GetValue(type)!;
            if (parse.GetValue(by) is { } amount)
            {
                operation["by"] = amount;
            }
            else if (operationName is "increment" or "decrement")
            {
                operation["by"] = 1;
            }
            using var client = new JarvisClient(address);
            try
            {
                var response = await client.PutAsync(parse.GetValue(key)!, typeName, operation, parse.GetValue(consistency), parse.GetValue(timeout), ct);
                var rendered = Render(response.Value);
                if (response.Completed)
                {
                    Terminal.Out.MarkupLineInterpolated($"[green]{response.Outcome}[/] {rendered}");
                    return ExitCodes.Success;
                }
                Terminal.Out.MarkupLineInterpolated($"[yellow]{response.Outcome}[/]: kept locally and still replicating, but the consistency level was not reached in time. {rendered}");
                return ExitCodes.TimedOut;
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return put;
    }

    public static Command CreateGet()
    {
        var url = CommonOptions.Url();
        var key = new Argument<string>("KEY") { Description = "The object's key." };
        var consistency = Consistency();
        var full = new Option<bool>("--json") { Description = "Print the whole answer (key, type, value) instead of the value alone." };
        var get = new Command("get", "Read an object's value (printed as JSON).") { key, consistency, full, url };
        get.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            using var client = new JarvisClient(address);
            try
            {
                var answer = await client.GetAsync(parse.GetValue(key)!, parse.GetValue(consistency), ct);
                if (answer is not { } document)
                {
                    Terminal.Fail($"key '{parse.GetValue(key)}' not found on {address}.");
                    return ExitCodes.Failure;
                }
                var shown = parse.GetValue(full) ? document : document.TryGetProperty("value", out var v) ? v : document;
                Console.Out.WriteLine(JsonSerializer.Serialize(shown, Indented));
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

    public static Command CreateKeys()
    {
        var url = CommonOptions.Url();
        var prefix = new Option<string?>("--prefix", "-p") { Description = "Only keys starting with this." };
        var limit = new Option<int?>("--limit") { Description = "At most this many keys (node default 1000, maximum 10000)." };
        var keys = new Command("keys", "List keys, sorted, one per line.") { prefix, limit, url };
        keys.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            using var client = new JarvisClient(address);
            try
            {
                var (list, truncated) = await client.KeysAsync(parse.GetValue(prefix), parse.GetValue(limit), ct);
                foreach (var k in list)
                {
                    Console.Out.WriteLine(k);
                }
                if (truncated)
                {
                    Terminal.Note($"(truncated after {list.Count} keys: use --limit or a longer --prefix)");
                }
                return ExitCodes.Success;
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return keys;
    }

    private static Option<string?> Consistency()
    {
        var consistency = new Option<string?>("--consistency", "-c") { Description = "local (default), majority or all." };
        consistency.AcceptOnlyFromAmong(Consistencies);
        return consistency;
    }

    private static string Render(JsonElement value)
        => value.ValueKind == JsonValueKind.Undefined ? string.Empty : value.GetRawText();
}
