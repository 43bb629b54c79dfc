using Jarvis.Node.Internal.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Internal;

/// <summary>
/// The node's last line for client requests: any exception a request did not handle becomes an
/// <c>application/problem+json</c> answer with a body. A <see cref="NodeRequestException"/> carries its own
/// status and was logged where it arose; a <see cref="NodeStoppingException"/> is a 503; a client's broken
/// request (<see cref="BadHttpRequestException"/>) its own 4xx, logged in one line; anything else is a 500,
/// logged once with the request's method and path (the key), and counted in <c>jarvis_request_failures</c>.
/// </summary>
/// <remarks>Thread-safe (stateless apart from the metrics).</remarks>
internal sealed partial class RequestFailureHandler(NodeMetrics metrics, ILogger logger)
{
    private readonly ILogger _logger = logger;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var (status, title, detail) = Classify(context, exception);
            if (context.Response.HasStarted)
            {
                // Part of the answer is on the wire: the only honest end is to abort the connection.
                context.Abort();
                return;
            }
            context.Response.Clear();
            await Problems.Create(status, title, detail).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    private (int Status, string Title, string Detail) Classify(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case NodeRequestException request:
                if (request.Status >= StatusCodes.Status500InternalServerError && request.Status != StatusCodes.Status503ServiceUnavailable)
                {
                    metrics.RequestFailed();
                }
                return (request.Status, request.Title, request.Message);
            case NodeStoppingException stopping:
                return (StatusCodes.Status503ServiceUnavailable, "Node stopping", stopping.Message);
            case BadHttpRequestException bad:
                LogBadRequest(context.Request.Method, context.Request.Path, bad.Message);
                return (bad.StatusCode, "Bad request", bad.Message);
            default:
                metrics.RequestFailed();
                LogFailed(context.Request.Method, context.Request.Path, exception);
                return (StatusCodes.Status500InternalServerError, "Internal error",
                    $"The node failed to handle this request ({exception.GetType().Name}: {exception.Message}); the failure is logged and counted. A write may or may not have applied.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed and was answered 500")]
    private partial void LogFailed(string method, PathString path, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: the client's request was broken: {Reason}")]
    private partial void LogBadRequest(string method, PathString path, string reason);
}
