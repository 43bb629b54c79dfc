using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal.Api;

/// <summary>Reads request bodies within the node's <see cref="NodeOptions.MaxBodyBytes"/>, for every endpoint that takes one.</summary>
internal sealed partial class RequestBody(NodeOptions options, ILogger logger)
{
    /// <summary>Reads the body up to the node's limit: the bytes, or the problem that answers a body too large (413), too slow (408) or cut short (400).</summary>
    public async Task<(byte[]? Body, IResult? Problem)> ReadAsync(HttpContext context)
    {
        var limit = options.MaxBodyBytes;
        var tooLarge = Problems.Create(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body is larger than {limit} bytes.");
        if (context.Request.ContentLength > limit)
        {
            return (null, tooLarge);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, tooLarge);
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException exception)
        {
            // The client's fault (a body sent too slowly, a malformed chunk, a connection closed mid-body): one line, no
            // stack trace, and an answer if the connection can still carry one.
            var client = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
            var path = RequestTarget.RawPath(context);
            LogClientBodyFailed(client, context.Request.Method, path, exception.StatusCode, exception.Message);
            return (null, exception.StatusCode == StatusCodes.Status408RequestTimeout
                ? Problems.Create(StatusCodes.Status408RequestTimeout, "Body too slow", "The request body arrived too slowly; nothing was written.")
                : Problems.BadRequest("Bad body", $"The request body could not be read: {exception.Message}"));
        }
        return (buffer.ToArray(), null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {Client} failed to send the body of {Method} {Path} ({Status}: {Reason}); nothing was written")]
    private partial void LogClientBodyFailed(string client, string method, string path, int status, string reason);
}
