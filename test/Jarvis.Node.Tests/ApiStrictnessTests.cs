using System.Net;
using System.Text;

namespace Jarvis.Node.Tests;

/// <summary>The API is as strict as its documentation: every request it cannot take exactly as written is a 4xx problem that stores nothing.</summary>
public sealed class ApiStrictnessTests(ApiNodeFixture fixture) : IClassFixture<ApiNodeFixture>
{
    private readonly TestNode _node = fixture.Node;

    public static TheoryData<string?, HttpStatusCode, string> ContentTypes => new()
    {
        { null, HttpStatusCode.UnsupportedMediaType, "Not JSON" },
        { "text/plain", HttpStatusCode.UnsupportedMediaType, "Not JSON" },
        { "application/json; charset=iso-8859-1", HttpStatusCode.UnsupportedMediaType, "Not JSON" },
        { "application/json; charset=utf-16", HttpStatusCode.UnsupportedMediaType, "Not JSON" },
        { "application/json; charset", HttpStatusCode.UnsupportedMediaType, "Not JSON" },
        { "json", HttpStatusCode.UnsupportedMediaType, "Not JSON" },
    };

    [Theory]
    [MemberData(nameof(ContentTypes))]
    public async Task A_body_without_a_utf8_json_content_type_is_unsupported(string? contentType, HttpStatusCode status, string title)
    {
        var before = await ApiAssert.SequenceAsync(_node);

        var answer = await RawHttp.SendAsync(_node.Options.HttpPort, "PUT", "/v1/objects/strict/ct?type=register", """{"op":"set","value":"v"}""", contentType);

        ApiAssert.Problem(answer, status, title);
        Assert.Equal(before, await ApiAssert.SequenceAsync(_node));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    [InlineData("application/merge-patch+json")]
    public async Task Json_in_utf8_is_accepted(string contentType)
    {
        var answer = await RawHttp.SendAsync(_node.Options.HttpPort, "PUT", "/v1/objects/strict/ok?type=register", """{"op":"set","value":"v"}""", contentType);
        Assert.True(answer.Status == 200, answer.Body);
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "register", """{"op":"set","op":"set","value":"v"}""", "Bad JSON" },
        { "register", """{"op":"set","value":"v","value":"w"}""", "Bad JSON" },
        { "workflow", """{"op":"transition","to":"b","definition":{"name":"w","name":"x","states":["a","b"],"transitions":[["a","b"]]}}""", "Bad JSON" },
        { "register", """{"op":"set","value":"v","extra":1}""", "Bad operation" },
        { "gcounter", """{"op":"increment","by":1,"amount":2}""", "Bad operation" },
        { "flag", """{"op":"enable","value":true}""", "Bad operation" },
        { "map", """{"op":"remove","field":"f","value":"v"}""", "Bad operation" },
        { "ballot", """{"op":"open","voters":["0000000000000001"],"rule":"majority","k":1}""", "Bad operation" },
        { "workflow", """{"op":"transition","to":"b","definition":{"name":"w","states":["a","b"],"transitions":[["a","b"]],"initial":"a"}}""", "Bad operation" },
        { "map", """{"op":"set","field":"","value":"v"}""", "Bad operation" },
        { "map", """{"op":"remove","field":""}""", "Bad operation" },
        { "register", """{"op":"set","value":"\ud800"}""", "Bad JSON" },
        { "register", """{"op":"set","value":"\udc00x"}""", "Bad JSON" },
        { "set", """{"op":"add","values":["ok","\ud83d"]}""", "Bad JSON" },
        { "map", """{"op":"set","field":"\ud800","value":"v"}""", "Bad JSON" },
        { "register", """{"op":"set","value":"v","\ud800":1}""", "Bad JSON" },
        { "text", """{"op":"insert","index":0,"text":"\ude00"}""", "Bad JSON" },
        { "timeseries", """{"op":"append","timestamp":0,"value":1e400}""", "Bad operation" },
        { "gcounter", """{"op":"increment","by":1e400}""", "Bad operation" },
        { "text", """{"op":"insert","index":1e400,"text":"a"}""", "Bad operation" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_body_the_docs_do_not_allow_is_a_400_and_writes_nothing(string type, string body, string title)
    {
        var before = await ApiAssert.SequenceAsync(_node);

        using var response = await _node.PutAsync("strict/body", type, body);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, title);
        Assert.Equal(before, await ApiAssert.SequenceAsync(_node));
    }

    [Fact]
    public async Task An_unknown_field_is_named_in_the_refusal()
    {
        using var response = await _node.PutAsync("strict/named", "register", """{"op":"set","value":"v","valeu":"w"}""");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "Bad operation");

        var detail = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
        Assert.Contains("Unknown field \"valeu\"", detail, StringComparison.Ordinal);
        Assert.Contains("it takes \"op\", \"value\"", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    public async Task Invalid_utf8_inside_a_json_string_is_a_400(byte[] invalid)
    {
        var before = await ApiAssert.SequenceAsync(_node);
        var body = Encoding.UTF8.GetBytes("""{"op":"set","value":"a""").Concat(invalid).Concat(Encoding.UTF8.GetBytes("""b"}""")).ToArray();

        var answer = await RawHttp.SendAsync(_node.Options.HttpPort, "PUT", "/v1/objects/strict/utf8?type=register", body);

        ApiAssert.Problem(answer, HttpStatusCode.BadRequest, "Bad JSON");
        Assert.Equal(before, await ApiAssert.SequenceAsync(_node));
        Assert.Null(await ApiAssert.ValueAsync(_node, "strict/utf8"));
    }

    [Theory]
    [InlineData("v1/watch?prefix=%FF")]
    [InlineData("v1/watch?prefix=a%20b")]
    [InlineData("v1/watch?prefix=caf%C3%A9")]
    [InlineData("v1/keys?prefix=%FF")]
    [InlineData("v1/keys?prefix=$x")]
    public async Task A_prefix_with_a_character_no_key_may_hold_is_a_400(string path)
    {
        using var response = await _node.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "Bad prefix");
    }

    [Theory]
    [InlineData("v1/objects/strict/q?type=register&consistancy=all", "Unknown parameter")]
    [InlineData("v1/objects/strict/q?type=register&type=set", "Repeated parameter")]
    [InlineData("v1/objects/strict/q?type=register&consistency=all&consistency=local", "Repeated parameter")]
    public async Task A_query_parameter_the_endpoint_does_not_take_or_that_is_repeated_is_a_400(string path, string title)
    {
        var before = await ApiAssert.SequenceAsync(_node);

        using var response = await _node.Client.PutAsync(path, new StringContent("""{"op":"set","value":"v"}""", Encoding.UTF8, "application/json"));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, title);
        Assert.Equal(before, await ApiAssert.SequenceAsync(_node));
        using var keys = await _node.Client.GetAsync("v1/keys?limit=5&sort=asc");
        await ApiAssert.ProblemAsync(keys, HttpStatusCode.BadRequest, "Unknown parameter");
    }

    [Theory]
    [InlineData(-4611686018427387904L)]
    [InlineData(4611686018427387903L)]
    [InlineData(-4611686018427387903L)]
    [InlineData(-60001L)]
    public async Task Every_timestamp_in_the_documented_range_gets_its_window(long timestamp)
    {
        var key = $"strict/series{timestamp}";
        using var response = await _node.PutAsync(key, "timeseries", $$"""{"op":"append","timestamp":{{timestamp}},"value":2.5}""");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        var value = (await _node.GetJsonAsync("v1/objects/" + key))["value"]!;
        var window = Assert.Single(value["windows"]!.AsArray());
        var start = long.Parse(window!["start"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(start <= timestamp && timestamp < start + 60_000, $"the point at {timestamp} lands in the window starting at {start}");
        Assert.Equal(1, window["count"]!.GetValue<int>());
    }
}
