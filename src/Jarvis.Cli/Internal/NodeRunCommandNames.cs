namespace Jarvis.Cli.Internal;

/// <summary>Option names shared by <c>jarvis node run</c> and the commands that spawn it.</summary>
internal static class NodeRunCommandNames
{
    /// <summary>Hidden option: stop the node when standard input reaches end-of-file (the parent closed it or died).</summary>
    public const string StopWithParent = "--stop-with-parent";
}
