using System.CommandLine;
using Jarvis.Cli.Internal;
using Spectre.Console;

namespace Jarvis.Cli.Commands;

/// <summary><c>jarvis member remove NAME</c>: removes a node that is down from the cluster, through any live node's API.</summary>
internal static class MemberCommands
{
    public static Command Create()
    {
        var member = new Command("member", "Manage the cluster's members.");
        member.Add(CreateRemove());
        return member;
    }

    private static Command CreateRemove()
    {
        var url = CommonOptions.Url();
        var name = new Argument<string>("NAME") { Description = "The node to remove; it must be down (a live node leaves by itself when stopped)." };
        var remove = new Command("remove", "Remove a node that is down, so it no longer counts towards majorities and 'all' writes.") { name, url };
        remove.SetAction(async (parse, ct) =>
        {
            if (!CommonOptions.TryParseUrl(parse.GetValue(url)!, out var address))
            {
                return ExitCodes.Usage;
            }
            var node = parse.GetValue(name)!;
            using var client = new JarvisClient(address);
            try
            {
                var removed = await client.RemoveMemberAsync(node, ct);
                Terminal.Out.MarkupLineInterpolated($"[green]Removed[/] {node} (replica {string.Join(", ", removed)}); the other members learn it by gossip.");
                return ExitCodes.Success;
            }
            catch (JarvisClientException e)
            {
                Terminal.Fail(e.Message);
                return ExitCodes.Failure;
            }
        });
        return remove;
    }
}
