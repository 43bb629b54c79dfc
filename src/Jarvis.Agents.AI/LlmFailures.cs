using System.ClientModel;
using System.Net;
using Jarvis.Agents.Execution;

namespace Jarvis.Agents.AI;

/// <summary>
/// Turns what a model endpoint threw into the run's failure: a request the endpoint refused as such (400, 401, 403,
/// 404, 422) fails the task for good, since another attempt sends the same request; throttling, timeouts and server
/// errors are retryable. Cancellation passes through untouched.
/// </summary>
internal static class LlmFailures
{
    public static Exception Classify(Exception error, string who) => error switch
    {
        OperationCanceledException or AgentFailedException => error,
        ClientResultException { Status: > 0 } e => new AgentFailedException($"{who}: HTTP {e.Status}: {e.Message}", Retryable(e.Status)) { },
        HttpRequestException { StatusCode: { } status } e => new AgentFailedException($"{who}: HTTP {(int)status}: {e.Message}", Retryable((int)status)),
        _ => new AgentFailedException($"{who}: {error.GetType().Name}: {error.Message}", retryable: true),
    };

    private static bool Retryable(int status)
        => status is not ((int)HttpStatusCode.BadRequest or (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden
            or (int)HttpStatusCode.NotFound or (int)HttpStatusCode.UnprocessableEntity);
}
