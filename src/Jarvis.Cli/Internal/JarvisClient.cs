using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jarvis.Cli.Internal;

/// <summary>
/// A client of one node's HTTP/JSON API. Every failure surfaces as a <see cref="JarvisClientException"/> whose
/// message says what went wrong in words (unreachable node, or the problem's title and detail).
/// Thread-safe: one <see cref="HttpClient"/> shared by all calls.
/// </summary>
internal sealed partial class JarvisClient : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http;

    public JarvisClient(Uri baseAddress)
    {
        BaseAddress = baseAddress;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), ConnectTimeout = TimeSpan.FromSeconds(3) })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The node's client API address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The path of an object: the key's segments escaped one by one, so '/' stays a separator.</summary>
    /// <exception cref="JarvisClientException">The key has a '.', '..' or empty segment: .NET's Uri resolves those (even
    /// escaped) before sending, so the request would name another key; the node refuses such keys anyway.</exception>
    public static string ObjectPath(string key)
    {
        var segments = key.Split('/');
        if (segments.FirstOrDefault(s => s is "" or "." or "..") is { } bad)
        {
            throw new JarvisClientException($"The key '{key}' has {(bad.Length == 0 ? "an empty segment" : $"a '{bad}' segment")}: keys may not hold '.', '..' or empty segments (nor start or end with '/').");
        }
        return "v1/objects/" + string.Join('/', segments.Select(Uri.EscapeDataString));
    }

    /// <summary>Applies one operation to an object (<c>PUT /v1/objects/KEY</c>).</summary>
    public async Task<WriteResponse> PutAsync(string key, string type, JsonObject operation, string? consistency, int? timeoutMs, CancellationToken ct)
    {
        var query = new StringBuilder("?type=").Append(Uri.EscapeDataString(type));
        if (consistency is not null)
        {
            query.Append("&consistency=").Append(Uri.EscapeDataString(consistency));
        }
        if (timeoutMs is { } ms)
        {
            query.Append(CultureInfo.InvariantCulture, $"&timeoutMs={ms}");
        }
        using var request = new HttpRequestMessage(HttpMethod.Put, ObjectPath(key) + query)
        {
            Content = new StringContent(operation.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        var wait = DefaultTimeout + TimeSpan.FromMilliseconds(timeoutMs ?? 0);
        var (status, body) = await SendAsync(request, wait, ct).ConfigureAwait(false);
        var outcome = body.TryGetProperty("outcome", out var o) ? o.GetString() ?? "completed" : "completed";
        var value = body.TryGetProperty("value", out var v) ? v : default;
        return new WriteResponse(status, outcome, value);
    }

    /// <summary>Deletes an object (<c>DELETE /v1/objects/KEY</c>): what the node has observed of it is removed.</summary>
    public async Task<WriteResponse> DeleteAsync(string key, string? consistency, int? timeoutMs, CancellationToken ct)
    {
        var query = new List<string>();
        if (consistency is not null)
        {
            query.Add("consistency=" + Uri.EscapeDataString(consistency));
        }
        if (timeoutMs is { } ms)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"timeoutMs={ms}"));
        }
        using var request = new HttpRequestMessage(HttpMethod.Delete, ObjectPath(key) + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query)));
        var (status, body) = await SendAsync(request, DefaultTimeout + TimeSpan.FromMilliseconds(timeoutMs ?? 0), ct).ConfigureAwait(false);
        var outcome = body.TryGetProperty("outcome", out var o) ? o.GetString() ?? "completed" : "completed";
        return new WriteResponse(status, outcome, default);
    }

    /// <summary>Reads an object (<c>GET /v1/objects/KEY</c>): the whole answer (<c>key</c>, <c>type</c>, <c>value</c>), or null if the key does not exist.</summary>
    public async Task<JsonElement?> GetAsync(string key, string? consistency, CancellationToken ct)
    {
        var path = ObjectPath(key) + (consistency is null ? string.Empty : "?consistency=" + Uri.EscapeDataString(consistency));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        try
        {
            var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
            return body;
        }
        catch (JarvisClientException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Lists keys (<c>GET /v1/keys</c>).</summary>
    public async Task<(IReadOnlyList<string> Keys, bool Truncated)> KeysAsync(string? prefix, int? limit, CancellationToken ct)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(prefix))
        {
            query.Add("prefix=" + Uri.EscapeDataString(prefix));
        }
        if (limit is { } l)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"limit={l}"));
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/keys" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query)));
        var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
        var keys = body.GetProperty("keys").EnumerateArray().Select(k => k.GetString() ?? string.Empty).ToList();
        var truncated = body.TryGetProperty("truncated", out var t) && t.ValueKind == JsonValueKind.True;
        return (keys, truncated);
    }

    /// <summary>The node's status document (<c>GET /v1/status</c>).</summary>
    public async Task<JsonElement> StatusAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/status");
        var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
        return body;
    }

    /// <summary>Removes a node that is down from the cluster (<c>DELETE /v1/members/NAME</c>); returns the replica ids removed.</summary>
    public async Task<IReadOnlyList<string>> RemoveMemberAsync(string name, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "v1/members/" + Uri.EscapeDataString(name));
        var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
        return [.. body.GetProperty("removed").EnumerateArray().Select(r => r.GetString() ?? string.Empty)];
    }

    /// <summary>The Merkle root of the node's replica and its key count (<c>GET /v1/digest</c>).</summary>
    public async Task<(string Root, long Keys)> DigestAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/digest");
        var (_, body) = await SendAsync(request, DefaultTimeout, ct).ConfigureAwait(false);
        return (body.GetProperty("root").GetString() ?? string.Empty, body.GetProperty("keys").GetInt64());
    }

    /// <summary>True if <c>/readyz</c> answers 200; false if it answers otherwise or the node cannot be reached.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var response = await _http.GetAsync("readyz", timeout.Token).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Sends a raw request and returns the status and body text, without interpreting either (for hostile-input tests).</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendRawAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(DefaultTimeout);
        using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false));
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpRequestMessage request, TimeSpan wait, CancellationToken ct)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new JarvisClientException($"The node at {BaseAddress} is unreachable: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new JarvisClientException($"The node at {BaseAddress} did not answer within {wait.TotalSeconds:0.#} s.", e);
        }
        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new JarvisClientException($"The node at {BaseAddress} closed the connection mid-answer: {e.Message}", e);
            }
            var body = Parse(text);
            if (response.IsSuccessStatusCode)
            {
                if (body.ValueKind != JsonValueKind.Object)
                {
                    throw new JarvisClientException($"{request.Method} {request.RequestUri} on {BaseAddress} answered {(int)response.StatusCode} with a body that is not a JSON object.");
                }
                return (response.StatusCode, body);
            }
            throw Problem(request, response.StatusCode, body, text);
        }
    }

    private JarvisClientException Problem(HttpRequestMessage request, HttpStatusCode status, JsonElement body, string text)
    {
        var title = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("title", out var t) ? t.GetString() : null;
        var detail = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("detail", out var d) ? d.GetString() : null;
        var summary = title ?? (text.Length is > 0 and < 300 ? text.Trim() : status.ToString());
        var message = $"{request.Method} {request.RequestUri} on {BaseAddress} failed: {(int)status} {summary}" + (detail is null ? string.Empty : $" — {detail}");
        return new JarvisClientException(message, status, detail);
    }

    private static JsonElement Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return default;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
