using Jarvis.Agents.Plans;
using Jarvis.Agents.Tasks;
using Jarvis.Replication;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Node.Internal.Api;

/// <summary>The coordinator's typed refusals as problems: each caught where it is thrown, so nothing else reads as a 4xx.</summary>
internal static class AgentProblems
{
    /// <summary>The problem answering a refusal of the coordinator or the pools; false for anything else (a bug: a 500).</summary>
    public static bool TryMap(Exception exception, out IResult problem)
    {
        problem = exception switch
        {
            PayloadTooLargeException tooLarge => Problems.Create(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"{tooLarge.Message} Nothing was stored."),
            InvalidPlanException plan => Problems.BadRequest("Invalid plan", $"{plan.Message} (reason: {plan.Reason}). Nothing was stored."),
            InvalidTaskException task => Problems.BadRequest("Invalid task", task.Field is null ? $"{task.Message} Nothing was stored." : $"{task.Field}: {task.Message} Nothing was stored."),
            IdempotencyConflictException conflict => Problems.Create(StatusCodes.Status409Conflict, "Idempotency conflict", $"{conflict.Message} Nothing was stored."),
            UnknownTaskException unknown => Problems.Create(StatusCodes.Status404NotFound, "Not found", unknown.Message),
            ClockSkewedException skewed => Problems.Create(StatusCodes.Status503ServiceUnavailable, "Clock skewed", skewed.Message),
            FormatException format => Problems.BadRequest("Bad id", format.Message),
            ArgumentException argument => Problems.BadRequest("Bad request", argument.Message),
            InvalidOperationException refused => Problems.Create(StatusCodes.Status409Conflict, "Refused", refused.Message),
            _ => null!,
        };
        return problem is not null;
    }
}
