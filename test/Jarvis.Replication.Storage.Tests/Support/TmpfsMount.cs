using System.Diagnostics;

namespace Jarvis.Replication.Storage.Tests.Support;

/// <summary>A small tmpfs mounted on a folder (Linux, root), to give a store a disk that really fills up.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private static readonly Lazy<string?> Unavailability = new(Probe);

    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Why a tmpfs cannot be mounted here, or <see langword="null"/> if it can (probed once, by mounting one).</summary>
    public static string? UnavailableReason => Unavailability.Value;

    /// <exception cref="InvalidOperationException">The mount failed.</exception>
    public static TmpfsMount Mount(string path, string size)
    {
        Directory.CreateDirectory(path);
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        return exitCode == 0 ? new TmpfsMount(path) : throw new InvalidOperationException($"mount -t tmpfs failed ({exitCode}): {output}");
    }

    /// <summary>Writes to the file <paramref name="name"/> on this disk until the disk has no room left.</summary>
    public void FillUp(string name)
    {
        using var file = new FileStream(System.IO.Path.Combine(Path, name), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.WriteThrough);
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(chunk);
                file.Flush(flushToDisk: true);
            }
        }
        catch (IOException)
        {
            // No space left on the device: full.
        }
    }

    /// <summary>Remounts the tmpfs read-only, keeping what it holds: every write on it then fails with EROFS.</summary>
    /// <exception cref="InvalidOperationException">The remount failed.</exception>
    public void MakeReadOnly()
    {
        var (exitCode, output) = Run("mount", "-o", "remount,ro", Path);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"mount -o remount,ro failed ({exitCode}): {output}");
        }
    }

    public void Dispose()
    {
        if (Run("umount", Path).ExitCode != 0)
        {
            // Something still holds a file open; detach now, the kernel frees it when the holder lets go.
            Run("umount", "-l", Path);
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs mounts need Linux";
        }
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "jarvis-storage-tests", "tmpfs-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (Mount(path, "64k"))
            {
            }
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
        finally
        {
            try
            {
                Directory.Delete(path);
            }
            catch (IOException)
            {
            }
        }
    }

    private static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, (output + error.GetAwaiter().GetResult()).Trim());
    }
}
