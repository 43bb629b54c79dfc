namespace Jarvis.Cli.Internal;

/// <summary>The exit codes of every <c>jarvis</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed: node unreachable, request refused, demo disagreement or timeout.</summary>
    public const int Failure = 1;

    /// <summary>The command line or the configuration is invalid.</summary>
    public const int Usage = 2;

    /// <summary>A write was kept but did not reach the requested consistency level in time.</summary>
    public const int TimedOut = 3;
}
