using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests;

/// <summary>
/// The HTTP API against generated hostile requests, for every type it has: counters driven to ±(2^63 − 1) and past
/// their 64-bit entries, series values at ±1.7e308, ±0, NaN and huge exponents, surrogate pairs and lone surrogates in
/// text, values and keys, dot and empty segments and non-ASCII in keys, wrong JSON types, duplicated and unknown
/// fields, numbers like 1e400, invalid UTF-8, missing and wrong content types. Every answer is a 2xx JSON document or a
/// 4xx problem with a body — never a 5xx, never empty — a refused request writes nothing, and at the end every listed
/// key reads with a 200. A fixed seed runs in CI; JARVIS_PROPERTY_ITERATIONS=N runs N requests (default 1,000, a few seconds) and
/// JARVIS_PROPERTY_SEED another seed.
/// </summary>
public sealed class ApiPropertyTests(ApiNodeFixture fixture) : IClassFixture<ApiNodeFixture>
{
    private static readonly string[] Types = ["gcounter", "pncounter", "register", "mvregister", "set", "flag", "map", "text", "timeseries", "workflow", "ballot"];

    // No %00: Kestrel refuses a NUL in the target itself (an empty 400) before any application code runs.
    private static readonly string[] HostileKeys =
    [
        ".", "..", "a/../b", "a/./b", "a/%2e%2e/b", "a/%2E/b", "a//b", "a/", "%2Fa", "a%2F..%2Fb", "caf%C3%A9", "%F0%9F%98%80",
        "%ED%A0%80", "%FF", "%zz", "$x", "a%20b", "", new string('k', 513), "a?b",
    ];

    // Values are drawn from a pool of ones the API takes three times in four (so objects fill up, counters reach
    // their 64-bit entries, windows their double range, texts their surrogate pairs), else from the hostile pool.
    private static readonly string[] HostileNumbers =
    [
        "0", "-1", "-9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551615", "4611686018427387904",
        "-4611686018427387905", "1.5", "1e400", "-1e400", "2147483648", "9007199254740993", "\"1\"", "null", "true", "[]", "{}",
    ];

    private static readonly string[] Amounts = ["1", "2", "9223372036854775807", "4611686018427387904", "9007199254740993"];

    private static readonly string[] Reals = ["1.7e308", "-1.7e308", "1e308", "0", "-0.0", "1.5", "1e-320", "-4.9e-324", "123456789012345678901234567890"];

    private static readonly string[] Timestamps = ["0", "59999", "60000", "-1", "-4611686018427387904", "4611686018427387903", "-4611686018427387903"];

    private static readonly string[] GoodStrings = ["\"\"", "\"x\"", "\"😀\"", "\"a😀b\"", "\"\\ud83d\\ude00\"", "\"é\"", "\"\\u0000\"", "\"日本\""];

    private static readonly string[] HostileStrings = ["\"\\ud800\"", "\"\\udc00\"", "\"\\ud83dx\"", "5", "null", "[\"x\"]", "{}"];

    private readonly TestNode _node = fixture.Node;

    [Fact]
    public async Task Every_hostile_request_is_answered_with_json_or_a_4xx_problem_and_a_refused_one_writes_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("JARVIS_PROPERTY_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 12;
        var iterations = long.TryParse(Environment.GetEnvironmentVariable("JARVIS_PROPERTY_ITERATIONS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1000;
        var random = new Random(seed);
        var me = (await _node.GetJsonAsync("v1/status"))["replicaId"]!.GetValue<string>();
        var failures = new List<string>();
        var port = _node.Options.HttpPort;
        var sequence = await ApiAssert.SequenceAsync(_node);

        for (var step = 0; step < iterations && failures.Count < 20; step++)
        {
            var request = Generate(random, me);
            var answer = await RawHttp.SendAsync(port, request.Method, request.Target, request.Body, request.ContentType);
            var where = $"seed {seed} step {step}: {request.Method} {request.Target} {(request.Body is null ? "" : Encoding.UTF8.GetString(request.Body))} -> {answer.Status} {answer.Body}";
            if (CheckAnswer(answer) is { } problem)
            {
                failures.Add($"{where}: {problem}");
                continue;
            }
            var after = await ApiAssert.SequenceAsync(_node);
            if (answer.Status >= 400 && after != sequence)
            {
                failures.Add($"{where}: a refused request advanced the log from {sequence} to {after}");
            }
            sequence = after;
        }

        var keys = (await _node.GetJsonAsync("v1/keys?limit=10000"))["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        foreach (var key in keys)
        {
            var read = await RawHttp.SendAsync(port, "GET", "/v1/objects/" + key);
            if (read.Status != 200 || CheckAnswer(read) is not null)
            {
                failures.Add($"seed {seed}: GET of listed key {key} answered {read.Status} {read.Body}");
            }
        }
        Assert.True(failures.Count == 0, "every answer is JSON or a 4xx problem, refusals write nothing, every listed key reads:\n" + string.Join("\n", failures));
    }

    /// <summary>Why an answer breaks the contract, or null.</summary>
    private static string? CheckAnswer(RawHttp.Response answer)
    {
        if (answer.Status is < 200 or >= 500 or (>= 300 and < 400))
        {
            return "the status is neither 2xx nor 4xx";
        }
        if (answer.Body.Length == 0)
        {
            return "the body is empty";
        }
        JsonObject document;
        try
        {
            document = JsonNode.Parse(answer.Body)!.AsObject();
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidOperationException)
        {
            return "the body is not a JSON object";
        }
        if (answer.Status >= 400)
        {
            return answer.ContentType == "application/problem+json" && document["status"]?.GetValue<int>() == answer.Status && document["detail"] is not null
                ? null
                : "a refusal is not a problem document";
        }
        return answer.ContentType == "application/json" ? null : "a success is not application/json";
    }

    private sealed record Request(string Method, string Target, byte[]? Body, string? ContentType);

    private static Request Generate(Random random, string me)
    {
        var type = Pick(random, Types);
        var key = random.Next(10) == 0 ? Pick(random, HostileKeys) : $"prop/{type}/{random.Next(3)}";
        var roll = random.Next(20);
        if (roll == 0)
        {
            return new Request("GET", "/v1/objects/" + key, null, null);
        }
        if (roll <= 2)
        {
            return new Request("DELETE", "/v1/objects/" + key + (random.Next(4) == 0 ? "?consistency=majority&timeoutMs=1" : ""), null, null);
        }
        var typeName = random.Next(30) switch
        {
            0 => Pick(random, Types),
            1 => "nope",
            2 => "",
            _ => type,
        };
        var json = random.Next(12) == 0 ? Pick(random, GenericBodies) : Operation(random, type, me);
        var body = Encoding.UTF8.GetBytes(json);
        if (random.Next(40) == 0 && body.Length > 2)
        {
            body[random.Next(1, body.Length - 1)] = (byte)Pick(random, new[] { 0xFF, 0xC3, 0xED, 0x80 });
        }
        var contentType = random.Next(40) switch
        {
            0 => null,
            1 => "text/plain",
            2 => "application/json; charset=latin1",
            _ => "application/json",
        };
        var query = typeName.Length == 0 ? "" : "?type=" + typeName;
        if (random.Next(20) == 0)
        {
            query += (query.Length == 0 ? "?" : "&") + Pick(random, new[] { "consistency=all", "consistency=bogus", "timeoutMs=0", "timeoutMs=1", "extra=1", "type=set" });
        }
        return new Request("PUT", "/v1/objects/" + key + query, body, contentType);
    }

    private static readonly string[] GenericBodies =
    [
        "", "null", "[]", "\"op\"", "{", "{}", """{"op":5}""", """{"op":null}""", """{"op":"set","op":"add"}""", """{"op":"set","value":"v","value":"w"}""",
        """{"op":"increment","unknown":1}""", """{"op":"add","value":"x","values":["y"]}""", """{"op":"\ud800"}""", new string('[', 100) + new string(']', 100),
        """{"op":"set","value":"v"}    x""", "\uFEFF{\"op\":\"set\",\"value\":\"v\"}",
    ];

    private static string Operation(Random random, string type, string me)
    {
        string Good(IReadOnlyList<string> good, IReadOnlyList<string> hostile) => random.Next(4) == 0 ? Pick(random, hostile) : Pick(random, good);
        string S() => Good(GoodStrings, HostileStrings);
        string Amount() => Good(Amounts, HostileNumbers);
        string Real() => Good(Reals, HostileNumbers);
        string Time() => random.Next(2) == 0 ? random.Next(0, 180_000).ToString(CultureInfo.InvariantCulture) : Good(Timestamps, HostileNumbers);
        string Index() => Good([.. Enumerable.Range(0, 8).Select(i => i.ToString(CultureInfo.InvariantCulture))], HostileNumbers);
        var extra = random.Next(15) == 0 ? ",\"extra\":1" : "";
        return type switch
        {
            "gcounter" => $$"""{"op":"increment","by":{{Amount()}}{{extra}}}""",
            "pncounter" => $$"""{"op":"{{Pick(random, new[] { "increment", "decrement", "decrement", "reset" })}}","by":{{Amount()}}{{extra}}}""",
            "register" or "mvregister" => $$"""{"op":"set","value":{{S()}}{{extra}}}""",
            "set" => random.Next(3) == 0
                ? $$"""{"op":"{{Pick(random, new[] { "add", "remove" })}}","values":[{{S()}},{{S()}}]{{extra}}}"""
                : $$"""{"op":"{{Pick(random, new[] { "add", "remove" })}}","value":{{S()}}{{extra}}}""",
            "flag" => $$"""{"op":"{{Pick(random, new[] { "enable", "disable", "toggle" })}}"{{extra}}}""",
            "map" => random.Next(3) == 0
                ? $$"""{"op":"remove","field":{{S()}}{{extra}}}"""
                : $$"""{"op":"set","field":{{S()}},"value":{{S()}}{{extra}}}""",
            "text" => random.Next(3) == 0
                ? $$"""{"op":"delete","index":{{Index()}},"length":{{Index()}}{{extra}}}"""
                : $$"""{"op":"insert","index":{{Index()}},"text":{{S()}}{{extra}}}""",
            "timeseries" => random.Next(8) == 0
                ? $$"""{"op":"{{Pick(random, new[] { "downsample", "discard" })}}","before":{{Time()}}{{extra}}}"""
                : $$"""{"op":"append","timestamp":{{Time()}},"value":{{Real()}}{{extra}}}""",
            "workflow" => $$"""{"op":"transition","to":{{Pick(random, new[] { "\"review\"", "\"done\"", "\"draft\"", "\"nowhere\"", "5" })}},"definition":{{Pick(random, Definitions)}}{{extra}}}""",
            _ => random.Next(2) == 0
                ? $$"""{"op":"open","voters":[{{Pick(random, new[] { $"\"{me}\"", "\"0000000000000001\"", "\"x\"", "5" })}}],"rule":{{Pick(random, new[] { "\"majority\"", "\"unanimity\"", "\"k-of-n\",\"k\":1", "\"k-of-n\",\"k\":0", "\"plurality\"" })}}{{extra}}}"""
                : $$"""{"op":"vote","option":{{S()}}{{extra}}}""",
        };
    }

    private static readonly string[] Definitions =
    [
        """{"name":"review","states":["draft","review","done"],"transitions":[["draft","review"],["review","done"]]}""",
        """{"name":"other","states":["draft","review","done"],"transitions":[["draft","done"]]}""",
        """{"name":"broken","states":["a","a"],"transitions":[]}""",
        """{"name":"review","states":["draft","review","done"],"transitions":[["draft","review"]],"extra":true}""",
        "[]",
    ];

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
