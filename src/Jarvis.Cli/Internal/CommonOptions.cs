using System.CommandLine;

namespace Jarvis.Cli.Internal;

/// <summary>Options shared by the client commands.</summary>
internal static class CommonOptions
{
    /// <summary>The default node address: <c>JARVIS_URL</c>, else the first node of <c>jarvis cluster up</c>.</summary>
    public static string DefaultUrl => Environment.GetEnvironmentVariable("JARVIS_URL") is { Length: > 0 } url ? url : "http://127.0.0.1:7400";

    /// <summary>A fresh <c>--url</c> option (an option instance belongs to one command).</summary>
    public static Option<string> Url() => new("--url", "-u")
    {
        Description = "The node's client API address (default: $JARVIS_URL or http://127.0.0.1:7400).",
        DefaultValueFactory = _ => DefaultUrl,
    };

    /// <summary>Parses <paramref name="text"/> as an absolute http(s) address, or explains why not.</summary>
    public static bool TryParseUrl(string text, out Uri url)
    {
        if (Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
        {
            url = parsed;
            return true;
        }
        url = null!;
        Terminal.Fail($"'{text}' is not an http:// or https:// address.");
        return false;
    }
}
