using Spectre.Console;

namespace Jarvis.Cli.Internal;

/// <summary>The consoles the commands write to: results on standard output, errors on standard error.</summary>
internal static class Terminal
{
    private static readonly Lazy<IAnsiConsole> ErrorConsole = new(() =>
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected)
        {
            // Into a file or a supervisor's log: an error stays one line, not wrapped at 80 columns.
            console.Profile.Width = 10_000;
        }
        return console;
    });

    /// <summary>Standard output.</summary>
    public static IAnsiConsole Out => AnsiConsole.Console;

    /// <summary>Standard error.</summary>
    public static IAnsiConsole Error => ErrorConsole.Value;

    /// <summary>True when standard output is a terminal that can redraw (live tables, progress bars).</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Writes an error line (in red where colours are available) to standard error.</summary>
    public static void Fail(string message) => Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");

    /// <summary>Writes a note line to standard error.</summary>
    public static void Note(string message) => Error.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
}
