using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Cli.Internal;
using Spectre.Console;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis put</c>, <c>jarvis delete</c>, <c>jarvis get</c> and <c>jarvis keys</c>: HTTP clients of a node's object API.</summary>
internal static class ObjectCommands
{
    private static readonly string[] Types = ["gcounter", "pncounter", "register", "mvregister", "set", "flag", "map", "text", "timeseries", "workflow", "ballot"];
    private static readonly string[] Consistencies = ["local", "majority", "all"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// <c>jarvis put KEY --type T --op OP [fields]</c>: each field option becomes the operation's field of that name
    /// (numbers as numbers, repeated <c>--value</c> and <c>--voter</c> as arrays, <c>--definition</c> as JSON), or
    /// <c>--json</c> gives the whole operation. The node checks the operation; a refusal is printed with its reason.
    /// </summary>
    public static Command CreatePut()
    {
        var url = CommonOptions.Url();
        var key = new Argument<string>("KEY") { Description = "The object's key (1-512 of A-Z a-z 0-9 / _ . : -)." };
        var type = new Option<string>("--type", "-t") { Description = "The object's type.", Required = true };
        type.AcceptOnlyFromAmong(Types);
        var op = new Option<string?>("--op", "-o") { Description = "The operation: increment, decrement, set, add, remove, enable, disable, insert, delete, append, downsample, discard, transition, open or vote (see docs/cli.md)." };
        var value = new Option<string[]>("--value", "-v") { Description = "The value to set, add or remove (repeat to add several to a set), or a time series point's number.", Arity = ArgumentArity.ZeroOrMore };
        var field = new Option<string?>("--field", "-f") { Description = "map: the field to set or remove." };
        var by = new Option<long?>("--by") { Description = "Counters: the amount to increment or decrement by (default 1)." };
        var index = new Option<int?>("--index") { Description = "text: the position (UTF-16 code units) to insert at or delete from." };
        var length = new Option<int?>("--length") { Description = "text: how many code units to delete." };
        var text = new Option<string?>("--text") { Description = "text: what to insert." };
        var timestamp = new Option<long?>("--timestamp") { Description = "timeseries: the point's time in milliseconds." };
        var before = new Option<long?>("--before") { Description = "timeseries: downsample or discard what is before this time (ms)." };
        var to = new Option<string?>("--to") { Description = "workflow: the state to move to." };
        var definition = new Option<string?>("--definition") { Description = "workflow: the definition as JSON, or @FILE: {\"name\",\"states\":[...],\"transitions\":[[from,to],...]}." };
        var voter = new Option<string[]>("--voter") { Description = "ballot: a voter's replica id (repeat for each voter).", Arity = ArgumentArity.ZeroOrMore };
        var rule = new Option<string?>("--rule") { Description = "ballot: majority (default), unanimity or k-of-n." };
        var k = new Option<int?>("--k") { Description = "ballot: k, with --rule k-of-n." };
        var option = new Option<string?>("--option") { Description = "ballot: the option to vote for." };
        var json = new Option<string?>("--json") { Description = "The whole operation as JSON (instead of --op and the field options), e.g. '{\"op\":\"insert\",\"index\":0,\"text\":\"hi\"}'." };
        var consistency = Consistency();
        var timeout = TimeoutMs();
        var put = new Command("put", "Apply one operation to an object.")
        {
            key, type, op, value, field, by, index, length, text, timestamp, before, to, definition, voter, rule, k, option, json, consistency, timeout, url,
        };
        put.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            var typeName = parse.GetValue(type)!;
            JsonObject operation;
            if (parse.GetValue(json) is { } whole)
            {
                if (parse.GetValue(op) is not null)
                {
                    Terminal.Fail("--json gives the whole operation: leave out --op.");
                    return ExitCodes.Usage;
                }
                if (!TryParseObject(whole, "--json", out operation))
                {
                    return ExitCodes.Usage;
                }
            }
            else if (parse.GetValue(op) is not { } operationName)
            {
                Terminal.Fail("Name the operation with --op (or give it whole with --json).");
                return ExitCodes.Usage;
            }
            else
            {
                operation = new JsonObject { ["op"] = operationName };
                var values = parse.GetValue(value) ?? [];
                if (typeName == "timeseries" && values.Length > 0)
                {
                    if (values.Length > 1 || !double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        Terminal.Fail("A time series point takes one --value, a number.");
                        return ExitCodes.Usage;
                    }
                    operation["value"] = number;
                }
                else if (values.Length == 1)
                {
                    operation["value"] = values[0];
                }
                else if (values.Length > 1)
                {
                    operation["values"] = new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
                }
                Add(operation, "field", parse.GetValue(field));
                Add(operation, "by", parse.GetValue(by) ?? (operationName is "increment" or "decrement" ? 1 : null));
                Add(operation, "index", parse.GetValue(index));
                Add(operation, "length", parse.GetValue(length));
                Add(operation, "text", parse.GetValue(text));
                Add(operation, "timestamp", parse.GetValue(timestamp));
                Add(operation, "before", parse.GetValue(before));
                Add(operation, "to", parse.GetValue(to));
                Add(operation, "rule", parse.GetValue(rule));
                Add(operation, "k", parse.GetValue(k));
                Add(operation, "option", parse.GetValue(option));
                if (parse.GetValue(voter) is { Length: > 0 } voters)
                {
                    operation["voters"] = new JsonArray([.. voters.Select(v => (JsonNode?)JsonValue.Create(v))]);
                }
                if (parse.GetValue(definition) is { } definitionText)
                {
                    if (!TryReadDefinition(definitionText, out var parsed))
                    {
                        return ExitCodes.Usage;
                    }
                    operation["definition"] = parsed;
                }
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

    /// <summary><c>jarvis delete KEY</c>: removes what the node has observed of the object (observed-remove).</summary>
    public static Command CreateDelete()
    {
        var url = CommonOptions.Url();
        var key = new Argument<string>("KEY") { Description = "The object's key." };
        var consistency = Consistency();
        var timeout = TimeoutMs();
        var delete = new Command("delete", "Delete an object: remove what the node has observed of it (writes it has not seen survive).") { key, consistency, timeout, url };
        delete.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            var name = parse.GetValue(key)!;
            using var client = new JarvisClient(address);
            try
            {
                var response = await client.DeleteAsync(name, parse.GetValue(consistency), parse.GetValue(timeout), ct);
                if (response.Completed)
                {
                    Terminal.Out.MarkupLineInterpolated($"[green]{response.Outcome}[/] deleted {name}");
                    return ExitCodes.Success;
                }
                Terminal.Out.MarkupLineInterpolated($"[yellow]{response.Outcome}[/]: deleted {name} locally and still replicating, but the consistency level was not reached in time.");
                return ExitCodes.TimedOut;
            }
            catch (JarvisClientException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
            {
                Terminal.Fail($"key '{name}' not found on {address}.");
                return ExitCodes.Failure;
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return delete;
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

    private static Option<int?> TimeoutMs() => new("--timeout-ms") { Description = "How long the node waits for the consistency level before answering timedOut." };

    private static void Add(JsonObject operation, string name, JsonNode? node)
    {
        if (node is not null)
        {
            operation[name] = node;
        }
    }

    private static bool TryReadDefinition(string text, out JsonObject definition)
    {
        if (text.StartsWith('@'))
        {
            try
            {
                text = File.ReadAllText(text[1..]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Terminal.Fail($"--definition: cannot read '{text[1..]}': {e.Message}");
                definition = null!;
                return false;
            }
        }
        return TryParseObject(text, "--definition", out definition);
    }

    private static bool TryParseObject(string text, string option, out JsonObject parsed)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject node)
            {
                parsed = node;
                return true;
            }
        }
        catch (JsonException)
        {
            // Refused below.
        }
        Terminal.Fail($"{option} must be a JSON object.");
        parsed = null!;
        return false;
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
