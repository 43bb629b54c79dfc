using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Tests;

/// <summary>A client that sends its body too slowly is the client's fault: one line naming it, no stack trace, a 408 problem, nothing written.</summary>
public sealed class SlowClientTests
{
    [Fact]
    public async Task A_body_sent_too_slowly_is_a_408_logged_as_one_line_naming_the_client()
    {
        await using var node = await TestNode.StartAsync("slow");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", node.Options.HttpPort);
        var stream = client.GetStream();
        var local = ((IPEndPoint)client.Client.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);
        var head = "PUT /v1/objects/slow/k?type=register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"op\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // Kestrel's minimum body rate (240 bytes/s after a 5 s grace) ends the request; the node answers and closes.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var answer = RawHttp.Parse(await RawHttp.ReadToEndAsync(stream, timeout.Token));

        ApiAssert.Problem(answer, HttpStatusCode.RequestTimeout, "Body too slow");
        var lines = node.Logs.Entries.Where(e => e.Message.Contains("slow/k", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("127.0.0.1:" + local, line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(node.Logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(node.Logs.Entries, e => e.Message.Contains("   at ", StringComparison.Ordinal));
        Assert.Null(await ApiAssert.ValueAsync(node, "slow/k"));
    }
}
