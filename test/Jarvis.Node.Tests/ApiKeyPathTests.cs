using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Jarvis.Node.Tests;

/// <summary>
/// Keys are read from the raw request target: a dot segment (plain or percent-encoded), an empty segment or a
/// trailing '/' is a 400, never a write under the key a path normaliser would have made of it.
/// </summary>
public sealed class ApiKeyPathTests(ApiNodeFixture fixture) : IClassFixture<ApiNodeFixture>
{
    private readonly TestNode _node = fixture.Node;

    [Fact]
    public async Task The_raw_client_puts_dot_segments_on_the_wire_as_written()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = Task.Run(async () =>
        {
            using var server = await listener.AcceptTcpClientAsync();
            var stream = server.GetStream();
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer);
            await stream.WriteAsync("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"u8.ToArray());
            return Encoding.ASCII.GetString(buffer, 0, read);
        });

        var answer = await RawHttp.SendAsync(port, "PUT", "/v1/objects/a/../b?type=register", """{"op":"set","value":"v"}""");

        Assert.Equal(204, answer.Status);
        Assert.StartsWith("PUT /v1/objects/a/../b?type=register HTTP/1.1\r\n", await received, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> DotTargets => new()
    {
        { "/v1/objects/dots/../b", "Malformed path" },
        { "/v1/objects/dots/%2e%2e/b", "Malformed path" },
        { "/v1/objects/dots/%2E%2E/b", "Malformed path" },
        { "/v1/objects/dots/.%2e/b", "Malformed path" },
        { "/v1/objects/dots/./x", "Malformed path" },
        { "/v1/objects/dots/%2e/x", "Malformed path" },
        { "/v1/objects/dots/..", "Malformed path" },
        { "/v1/objects/../b", "Malformed path" },
        { "/v1/objects/dots%2F..%2Fb", "Malformed key" },
        { "/v1/objects/dots/..%2Fb", "Malformed key" },
        { "/v1/objects/dots//b", "Malformed key" },
        { "/v1/objects/dots/b/", "Malformed key" },
        { "/v1/objects/dots/%2Fb", "Malformed key" },
        { "/v1/objects/dots/%FF", "Malformed key" },
        { "/v1/objects/dots/%zz", "Malformed key" },
        { "/v1/objects/", "Malformed key" },
    };

    [Theory]
    [MemberData(nameof(DotTargets))]
    public async Task A_put_whose_path_holds_a_dot_or_empty_segment_is_refused_and_writes_nothing(string path, string title)
    {
        var before = await ApiAssert.SequenceAsync(_node);

        var answer = await RawHttp.SendAsync(_node.Options.HttpPort, "PUT", path + "?type=register", """{"op":"set","value":"landed"}""");

        ApiAssert.Problem(answer, HttpStatusCode.BadRequest, title);
        Assert.Equal(before, await ApiAssert.SequenceAsync(_node));
        Assert.Empty(await ApiAssert.KeysAsync(_node, "b"));
        Assert.Empty(await ApiAssert.KeysAsync(_node, "dots"));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task Reads_and_deletes_refuse_dot_segments_too(string method)
    {
        (await _node.PutAsync("target", "set", """{"op":"add","value":"kept"}""")).EnsureSuccessStatusCode();

        var answer = await RawHttp.SendAsync(_node.Options.HttpPort, method, "/v1/objects/other/../target");

        ApiAssert.Problem(answer, HttpStatusCode.BadRequest, "Malformed path");
        Assert.Equal("""["kept"]""", await ApiAssert.ValueAsync(_node, "target"));
    }

    [Fact]
    public async Task A_dot_segment_that_would_resolve_to_another_endpoint_is_refused()
    {
        var status = await RawHttp.SendAsync(_node.Options.HttpPort, "GET", "/v1/objects/../status");
        ApiAssert.Problem(status, HttpStatusCode.BadRequest, "Malformed path");

        var put = await RawHttp.SendAsync(_node.Options.HttpPort, "PUT", "/v1/objects/x/../../keys?type=register", """{"op":"set","value":"v"}""");
        ApiAssert.Problem(put, HttpStatusCode.BadRequest, "Malformed path");
    }

    [Fact]
    public async Task A_method_an_endpoint_does_not_take_is_a_405_problem()
    {
        var answer = await RawHttp.SendAsync(_node.Options.HttpPort, "POST", "/v1/keys", "{}");
        ApiAssert.Problem(answer, HttpStatusCode.MethodNotAllowed, "Method not allowed");

        var unknown = await RawHttp.SendAsync(_node.Options.HttpPort, "GET", "/v1/nothing");
        ApiAssert.Problem(unknown, HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task An_escaped_slash_stays_a_separator_and_the_key_round_trips()
    {
        var answer = await RawHttp.SendAsync(_node.Options.HttpPort, "PUT", "/v1/objects/paths%2Fone/two?type=register", """{"op":"set","value":"v"}""");

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal("paths/one/two", answer.Json["key"]!.GetValue<string>());
        Assert.Equal("\"v\"", await ApiAssert.ValueAsync(_node, "paths/one/two"));
    }
}
