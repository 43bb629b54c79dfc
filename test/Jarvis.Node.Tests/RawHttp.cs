using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Jarvis.Node.Tests;

/// <summary>
/// HTTP/1.1 over a bare socket, for requests HttpClient will not send as written: it resolves dot segments in paths
/// (<c>a/../b</c> leaves as <c>b</c>), so a test of what the node does with them must put the bytes on the wire itself.
/// One request per connection (<c>Connection: close</c>); the answer is read to the end.
/// </summary>
public static class RawHttp
{
    public sealed record Response(int Status, string? ContentType, string Body)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    }

    /// <summary>Sends <paramref name="method"/> <paramref name="target"/> exactly as given, with a JSON body when there is one.</summary>
    public static Task<Response> SendAsync(int port, string method, string target, string? json = null, string? contentType = "application/json")
        => SendAsync(port, method, target, json is null ? null : Encoding.UTF8.GetBytes(json), contentType);

    public static async Task<Response> SendAsync(int port, string method, string target, byte[]? body, string? contentType = "application/json")
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\n")
            .Append("Host: 127.0.0.1\r\nConnection: close\r\n");
        if (body is not null)
        {
            if (contentType is not null)
            {
                head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
            }
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }
        head.Append("\r\n");
        var requestLine = Encoding.ASCII.GetBytes(head.ToString());
        await stream.WriteAsync(requestLine);
        if (body is not null)
        {
            await stream.WriteAsync(body);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return Parse(await ReadToEndAsync(stream, timeout.Token));
    }

    /// <summary>Reads until the server closes the connection.</summary>
    public static async Task<byte[]> ReadToEndAsync(NetworkStream stream, CancellationToken cancellation)
    {
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, cancellation);
        return answer.ToArray();
    }

    /// <summary>Parses a whole HTTP/1.1 response (Content-Length or chunked body).</summary>
    public static Response Parse(byte[] bytes)
    {
        var headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(headEnd > 0, $"the answer has a head: '{Encoding.UTF8.GetString(bytes)}'");
        var lines = Encoding.ASCII.GetString(bytes, 0, headEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = bytes.AsSpan(headEnd + 4).ToArray();
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }
        headers.TryGetValue("Content-Type", out var contentType);
        return new Response(status, contentType?.Split(';')[0].Trim(), Encoding.UTF8.GetString(body));
    }

    private static byte[] Unchunk(byte[] chunked)
    {
        using var result = new MemoryStream();
        var position = 0;
        while (true)
        {
            var lineEnd = position + chunked.AsSpan(position).IndexOf("\r\n"u8);
            var size = int.Parse(Encoding.ASCII.GetString(chunked, position, lineEnd - position).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return result.ToArray();
            }
            result.Write(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
