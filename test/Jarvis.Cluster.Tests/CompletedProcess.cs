using System.Diagnostics;

namespace Jarvis.Cluster.Tests;

/// <summary>A short-lived program run to its end, with what it wrote.</summary>
internal sealed record CompletedProcess(int ExitCode, string Output, string Error)
{
    /// <summary>Both streams, with every run of white space made one space, so a check does not depend on where
    /// help or Spectre.Console wrap a long line or how they pad columns.</summary>
    public string Text => string.Join(' ', (Output + " " + Error).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Starts <paramref name="start"/> (whose streams must be redirected), closes its input and waits for
    /// it to exit; kills it and fails the test after <paramref name="deadline"/>.</summary>
    public static async Task<CompletedProcess> RunAsync(ProcessStartInfo start, TimeSpan deadline)
    {
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not exit within {deadline.TotalSeconds} s:\n{await output}\n{await error}");
        }
        return new CompletedProcess(process.ExitCode, await output, await error);
    }
}
