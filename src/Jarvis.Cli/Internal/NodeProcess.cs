using System.Diagnostics;

namespace Jarvis.Cli.Internal;

/// <summary>
/// One node running as a child process (<c>jarvis node run</c>). Its output goes to a log file; it stops
/// gracefully when its standard input is closed (or when this process dies, which closes it too), and is
/// killed if it does not stop in time. Thread safety: not thread-safe; owned by one cluster.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();
    private bool _logClosed;

    private NodeProcess(NodeSpec spec, Process process, StreamWriter log, string logPath)
    {
        Spec = spec;
        _process = process;
        _log = log;
        LogPath = logPath;
        Client = new JarvisClient(spec.HttpUrl);
    }

    /// <summary>How the node was started.</summary>
    public NodeSpec Spec { get; }

    /// <summary>The node's name.</summary>
    public string Name => Spec.Name;

    /// <summary>A client of the node's HTTP API.</summary>
    public JarvisClient Client { get; }

    /// <summary>Where the node's standard output and error are written.</summary>
    public string LogPath { get; }

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the child has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The child's exit code, once it has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>jarvis node run</c> for <paramref name="spec"/>, appending its output to <paramref name="logPath"/>.</summary>
    public static NodeProcess Start(JarvisExecutable executable, NodeSpec spec, string logPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = executable.StartInfo(spec.Arguments()), EnableRaisingEvents = true };
        foreach (var (name, value) in spec.Environment)
        {
            process.StartInfo.Environment[name] = value;
        }
        var node = new NodeProcess(spec, process, log, logPath);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            node.Client.Dispose();
            throw;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>The last lines of the node's log, for error messages.</summary>
    public string LogTail(int lines = 15)
    {
        lock (_logGate)
        {
            if (!_logClosed)
            {
                _log.Flush();
            }
        }
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Kills the node at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>Asks the node to stop (closes its standard input) and kills it if it has not stopped within the grace period.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            return;
        }
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child is already gone; the wait below returns at once.
        }
        using var grace = new CancellationTokenSource(StopGrace);
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        lock (_logGate)
        {
            _logClosed = true;
            _log.Dispose();
        }
        _process.Dispose();
        Client.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_logGate)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }
}
