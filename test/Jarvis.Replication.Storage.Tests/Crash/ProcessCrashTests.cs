using System.Diagnostics;
using Jarvis.Replication.Storage.Tests.Support;

namespace Jarvis.Replication.Storage.Tests.Crash;

/// <summary>A real process killed with SIGKILL in the middle of a group commit.</summary>
public sealed class ProcessCrashTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_process_killed_mid_append_leaves_exactly_its_acknowledged_appends()
    {
        var (exitCode, stdout, stderr) = RunChild(_directory.Path);

        Assert.True(stdout.Contains("killing", StringComparison.Ordinal), $"the child was to kill itself mid-append; stdout: {stdout} stderr: {stderr}");
        Assert.True(exitCode == 137, $"the child died by SIGKILL (exit 137), not {exitCode}; stderr: {stderr}");
        var acknowledged = CrashChild.LastAcknowledged(stdout);
        Assert.Equal(CrashChild.CommittedBatches * CrashChild.BatchSize, acknowledged);
        var wal = WalFile.Read(StoreFiles.WalPath(_directory.Path));
        Assert.True(wal.FramesAfterLastCommit > 0, "the dead process left uncommitted pages in the log (else the test proves nothing)");

        using var store = new SqliteDurableStore(_directory.Path, StoreFiles.Replica);
        var state = store.Recover();

        StoreAssert.LogEqual(TestData.Batch(1, (int)acknowledged, CrashChild.PayloadLength), state.Log,
            "after the crash the store holds every acknowledged append and nothing of the one in flight");
        store.Append([TestData.Record(acknowledged + 1)]);
        Assert.Equal(acknowledged + 1, store.Recover().LastSequence);
    }

    private static (int ExitCode, string Stdout, string Stderr) RunChild(string directory)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(CrashChild).Assembly.Location);
        start.ArgumentList.Add(CrashChild.Command);
        start.ArgumentList.Add(directory);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            child.Kill();
            Assert.Fail("the child process did not finish within 60 s");
        }
        return (child.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    // The test host runs under the dotnet executable; use the same one for the child.
    private static string DotnetHost()
        => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}
