using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Jarvis.Cluster.Tests;

/// <summary><c>jarvis cluster up</c> owns its children: Ctrl+C or SIGTERM stops them, and its own death takes them
/// along.</summary>
/// <remarks>
/// A shell without job control (a script, <c>bash -c 'cmd &amp;'</c>) starts a background command with SIGINT
/// ignored, as POSIX requires; the ignored disposition survives exec into every descendant (the test host, then
/// <c>jarvis</c>), and .NET installs no handler for a signal ignored at start, so SIGINT never reaches the
/// program — as with Python or Go, which honour it the same way. The tests therefore set the disposition the child
/// starts with (<c>env --default-signal</c> / <c>--ignore-signal</c>), whatever the test runner inherited.
/// </remarks>
public sealed class ClusterUpTests
{
    [Fact]
    public async Task Ctrl_C_stops_every_node_and_exits_0()
    {
        var directory = TemporaryDirectory();
        // As from a terminal, where the foreground job gets SIGINT at its default disposition.
        using var parent = StartClusterUp(directory, "--default-signal=INT", out var output);
        try
        {
            var children = await WaitForReadyChildrenAsync(parent, output, 2);
            Assert.False(IgnoresSigint(parent.Id), "cluster up starts with SIGINT at its default disposition, whatever the test runner ignores");

            Signal(parent.Id, "INT");
            await WaitForStopAsync(parent, children, output);
        }
        finally
        {
            Cleanup(parent, directory);
        }
    }

    [Fact]
    public async Task SIGTERM_stops_every_node_and_exits_0_when_started_in_the_background_with_SIGINT_ignored()
    {
        var directory = TemporaryDirectory();
        // As `jarvis cluster up &` from a script: SIGINT ignored, so SIGTERM (`kill PID`) is the way to stop it.
        using var parent = StartClusterUp(directory, "--ignore-signal=INT", out var output);
        try
        {
            var children = await WaitForReadyChildrenAsync(parent, output, 2);
            Assert.True(IgnoresSigint(parent.Id), "cluster up starts with SIGINT ignored, as a background job of a script does");

            Signal(parent.Id, "TERM");
            await WaitForStopAsync(parent, children, output);
        }
        finally
        {
            Cleanup(parent, directory);
        }
    }

    [Fact]
    public async Task Killing_the_parent_leaves_no_orphan_nodes()
    {
        var directory = TemporaryDirectory();
        using var parent = StartClusterUp(directory, "--default-signal=INT", out var output);
        try
        {
            var children = await WaitForReadyChildrenAsync(parent, output, 2);

            parent.Kill();
            await parent.WaitForExitAsync();

            await TestCluster.WaitUntilAsync(() => Task.FromResult(!children.Any(IsRunning)), "every node notices its parent died and stops");
        }
        finally
        {
            Cleanup(parent, directory);
        }
    }

    /// <summary>Starts <c>jarvis cluster up</c> with 2 nodes through <c>env <paramref name="signalDisposition"/></c>,
    /// which sets how the program starts out treating a signal and then execs it (so the process is jarvis itself).</summary>
    private static Process StartClusterUp(string directory, string signalDisposition, out SynchronizedText output)
    {
        var basePort = FreeRange(4);
        var jarvis = JarvisProgram.Executable.StartInfo(
            ["cluster", "up", "--nodes", "2", "--base-port", basePort.ToString(CultureInfo.InvariantCulture), "--dir", directory]);
        var start = new ProcessStartInfo("env")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[signalDisposition, jarvis.FileName, .. jarvis.ArgumentList])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        var text = new SynchronizedText();
        process.OutputDataReceived += (_, e) => text.Append(e.Data);
        process.ErrorDataReceived += (_, e) => text.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = text;
        return process;
    }

    private static async Task<int[]> WaitForReadyChildrenAsync(Process parent, SynchronizedText output, int count)
    {
        await TestCluster.WaitUntilAsync(
            () => Task.FromResult(parent.HasExited || ReadyLines(output.ToString()) >= count),
            $"{count} nodes report ready");
        Assert.False(parent.HasExited, "cluster up is still running: " + output);
        var children = ChildrenOf(parent.Id);
        Assert.Equal(count, children.Length);
        return children;
    }

    private static async Task WaitForStopAsync(Process parent, int[] children, SynchronizedText output)
    {
        using var timeout = new CancellationTokenSource(TestCluster.Generous);
        await parent.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, parent.ExitCode);
        Assert.All(children, pid => Assert.False(IsRunning(pid), $"node process {pid} is stopped with its parent"));
        Assert.Contains("All nodes stopped", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Whether the process ignores SIGINT (signal 2: bit 1 of SigIgn in /proc/PID/status).</summary>
    private static bool IgnoresSigint(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var ignored = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (ignored & (1UL << 1)) != 0;
    }

    private static int ReadyLines(string text)
        => text.Split('\n').Count(line => line.TrimEnd().EndsWith(" ready", StringComparison.Ordinal) && !line.TrimEnd().EndsWith("not ready", StringComparison.Ordinal));

    /// <summary>Process ids whose parent is <paramref name="pid"/>, from /proc.</summary>
    private static int[] ChildrenOf(int pid)
    {
        var children = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var candidate))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(entry, "stat"));
                // Fields after the parenthesised command name: state, then the parent's pid.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
                {
                    children.Add(candidate);
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }
        return [.. children];
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>A base port with <paramref name="count"/> consecutive free ports.</summary>
    private static int FreeRange(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var start = Random.Shared.Next(20_000, 60_000);
            var sockets = new List<Socket>();
            try
            {
                for (var port = start; port < start + count; port++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }
                return start;
            }
            catch (SocketException)
            {
                // Taken: try another range.
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        }
        throw new InvalidOperationException("no range of free ports found");
    }

    private static string TemporaryDirectory()
        => Path.Combine(Path.GetTempPath(), "jarvis-up-test-" + Path.GetRandomFileName().Replace(".", string.Empty, StringComparison.Ordinal));

    private static void Cleanup(Process parent, string directory)
    {
        foreach (var child in parent.HasExited ? [] : ChildrenOf(parent.Id))
        {
            using var process = Process.GetProcessById(child);
            process.Kill();
        }
        if (!parent.HasExited)
        {
            parent.Kill(entireProcessTree: true);
        }
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleanup.
        }
    }
}
