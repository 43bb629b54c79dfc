using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Jarvis.Bench.Assignment;

/// <summary>
/// A solver <c>assign</c> runs side by side with <c>LinearAssignment</c>: a process started on the instance directory
/// and the repeat count that prints one <see cref="PeerResult"/> line per instance. A peer that is absent, cannot
/// start or fails says so on one line of stderr and yields what it printed before (its times stay null).
/// </summary>
/// <param name="Name">What the notes call it.</param>
/// <param name="Field">The JSON field of <c>assign</c>'s output its times go to.</param>
/// <param name="FileName">The program to start.</param>
/// <param name="Arguments">Its arguments before the directory and the repeat count.</param>
/// <param name="RequiredFile">A file without which the peer is absent (its script or built assembly).</param>
/// <param name="HowToGet">How to install or build it, for the notes.</param>
internal sealed record AssignmentPeer(string Name, string Field, string FileName, IReadOnlyList<string> Arguments, string RequiredFile, string HowToGet)
{
    /// <summary>Where <c>scripts/build-ortools-peer.sh</c> puts the OR-Tools peer, relative to the repository root.</summary>
    public const string OrToolsBuildOutput = "bench/peers/ortools/bin/Release/net10.0/OrToolsAssign.dll";

    /// <summary>SciPy's <c>linear_sum_assignment</c>: <c>bench/peers/scipy_assign.py</c> (copied beside the bench) under <c>/usr/bin/python3</c>.</summary>
    public static AssignmentPeer Scipy()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peers", "scipy_assign.py");
        return new("SciPy", "scipyMs", "/usr/bin/python3", [script], script, "scripts/install-bench-dependencies.sh installs it");
    }

    /// <summary>OR-Tools' <c>LinearSumAssignment</c>: the assembly <c>scripts/build-ortools-peer.sh</c> builds, run by <c>dotnet</c>.</summary>
    public static AssignmentPeer OrTools(string assembly) =>
        new("OR-Tools", "ortoolsMs", "dotnet", [assembly], assembly, "scripts/build-ortools-peer.sh builds it");

    /// <summary>The OR-Tools peer's assembly in the repository this bench was built from (it may not be built).</summary>
    public static string BuiltOrToolsPeer()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jarvis.slnx")))
            {
                return Path.Combine(directory.FullName, OrToolsBuildOutput);
            }
        }
        return Path.Combine(AppContext.BaseDirectory, OrToolsBuildOutput);
    }

    /// <summary>Runs the peer on <paramref name="directory"/>; its results, with notes on <paramref name="error"/> for whatever went wrong.</summary>
    public List<PeerResult> Run(string directory, int repeats, TextWriter error)
    {
        var results = new List<PeerResult>();
        if (!File.Exists(RequiredFile))
        {
            error.WriteLine($"assign: the {Name} peer is absent ({RequiredFile}; {HowToGet}); {Field} left null.");
            return results;
        }
        var start = new ProcessStartInfo(FileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(repeats.ToString(CultureInfo.InvariantCulture));
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            error.WriteLine($"assign: the {Name} peer could not start ({FileName}: {e.Message}; {HowToGet}); {Field} left null.");
            return results;
        }
        using (process)
        {
            // Read concurrently with stdout: a peer that fills the stderr pipe would otherwise block both sides.
            var errors = process.StandardError.ReadToEndAsync();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (PeerResult.Parse(line) is { } result)
                {
                    results.Add(result);
                }
                else if (!string.IsNullOrWhiteSpace(line))
                {
                    error.WriteLine($"assign: the {Name} peer printed a line that is not a result: {line}");
                }
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                error.WriteLine($"assign: the {Name} peer failed (exit {process.ExitCode}; {HowToGet}): {string.Join(" | ", errors.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
            }
        }
        return results;
    }
}
