using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.Node.Internal.Api;

/// <summary>
/// Membership administration on the client port: <c>DELETE /v1/members/{name}</c> removes a node that is
/// Down here (every replica of that name: it left no successor), so it no longer counts towards quorums
/// and no longer holds `all` writes or retirement back. A live member is refused (409): stop it, and it
/// leaves by itself on SIGTERM.
/// </summary>
internal static class MemberApi
{
    public static void Map(IEndpointRouteBuilder routes, NodeRuntime runtime)
        => routes.MapDelete("/v1/members/{name}", (string name) => RemoveAsync(name, runtime));

    private static async Task<IResult> RemoveAsync(string name, NodeRuntime runtime)
    {
        if (!NodeOptions.IsNodeName(name))
        {
            return Problems.BadRequest("Malformed name", $"'{name}' is not a node name: 1-63 characters of a-z, 0-9 and '-'.");
        }
        MemberRemovalResult result;
        try
        {
            result = await runtime.RemoveMemberAsync(name).ConfigureAwait(false);
        }
        catch (NodeStoppingException exception)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Node stopping", exception.Message);
        }
        return result.Verdict switch
        {
            MemberRemovalVerdict.Removed => Results.Text(
                new JsonObject
                {
                    ["name"] = name,
                    ["removed"] = new JsonArray([.. result.Removed.Select(id => (JsonNode?)JsonValue.Create(id.ToString()))]),
                }.ToJsonString(),
                "application/json",
                System.Text.Encoding.UTF8,
                StatusCodes.Status200OK),
            MemberRemovalVerdict.Live => Problems.Create(
                StatusCodes.Status409Conflict,
                "Member is live",
                $"Node {name} (replica {result.Live!.Id}) is {NodeRuntime.StatusName(result.Live.Status)} here: only a member that is down can be removed. "
                    + "Stop it (on SIGTERM a node leaves by itself), or wait until it is down."),
            MemberRemovalVerdict.Self => Problems.Create(
                StatusCodes.Status409Conflict,
                "Cannot remove itself",
                $"This node is {name}: a node does not remove itself. Stop it with SIGTERM and it leaves the cluster, or ask another node to remove it once it is down."),
            _ => Problems.Create(StatusCodes.Status404NotFound, "No such member", $"No member named {name} is known here (or it has already left)."),
        };
    }
}
