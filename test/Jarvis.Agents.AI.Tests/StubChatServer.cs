using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Jarvis.Agents.AI.Tests;

/// <summary>
/// An OpenAI-compatible chat-completions endpoint on 127.0.0.1 that answers from a queue of scripted replies and
/// records every request: the stand-in for a real model server (there is no network here).
/// </summary>
public sealed class StubChatServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<(int Status, string Body, Dictionary<string, string> Headers)> _replies = new();
    private readonly Task _serving;

    public StubChatServer()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                Endpoint = $"http://127.0.0.1:{port}/v1";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The port was taken between the probe and the bind: try another.
            }
        }
        _serving = Task.Run(ServeAsync);
    }

    public string Endpoint { get; private set; } = "";

    public List<(string Method, string Path, Dictionary<string, string> Headers, string Body)> Requests { get; } = [];

    public static string Completion(string content, string model = "test-model")
        => $$$"""{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":{{{System.Text.Json.JsonSerializer.Serialize(content)}}}},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}""";

    public StubChatServer Reply(int status, string body, Dictionary<string, string>? headers = null)
    {
        lock (_replies)
        {
            _replies.Enqueue((status, body, headers ?? []));
        }
        return this;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            (int Status, string Body, Dictionary<string, string> Headers) reply;
            lock (_replies)
            {
                Requests.Add((context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body));
                reply = _replies.Count > 0 ? _replies.Dequeue() : (500, """{"error":{"message":"no scripted reply"}}""", []);
            }
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in reply.Headers)
            {
                context.Response.Headers[name] = value;
            }
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
