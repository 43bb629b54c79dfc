using System.Net;
using System.Text.Json;

namespace Jarvis.Cli.Internal;

/// <summary>A node's answer to an accepted write: 200 <c>completed</c> or 202 <c>timedOut</c> (kept, still replicating).</summary>
internal sealed record WriteResponse(HttpStatusCode Status, string Outcome, JsonElement Value)
{
    /// <summary>True when the write reached the requested consistency level in time.</summary>
    public bool Completed => Status == HttpStatusCode.OK;
}
