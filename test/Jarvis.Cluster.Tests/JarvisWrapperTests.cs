using System.Diagnostics;
using System.Runtime.Versioning;

namespace Jarvis.Cluster.Tests;

/// <summary>
/// The <c>./jarvis</c> script at the root of the repository: the real one runs the built program, and a copy in
/// a folder laid out like a clone, with a stand-in <c>dotnet</c> first on the PATH that logs every call, shows when
/// it builds.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class JarvisWrapperTests : IDisposable
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    private readonly string _clone = Path.Combine(Path.GetTempPath(), "jarvis-wrapper-test-" + Guid.NewGuid().ToString("N"));

    public JarvisWrapperTests()
    {
        foreach (var file in (string[])["src/Jarvis.Cli/Program.cs", "src/Jarvis.Cli/Jarvis.Cli.csproj", "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig"])
        {
            var path = Path.Combine(_clone, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, string.Empty);
        }
        File.Copy(Path.Combine(RepositoryRoot, "jarvis"), Path.Combine(_clone, "jarvis"));
        Directory.CreateDirectory(Path.Combine(_clone, "fake-bin"));
        // The stand-in: `dotnet build DIR ...` logs and makes DIR's program (unless FAKE_BUILD_FAILS is set);
        // `dotnet PROGRAM ARGS` logs, echoes its arguments and exits 7, so the exit code is seen to pass through.
        File.WriteAllText(Path.Combine(_clone, "fake-bin", "dotnet"), """
            #!/usr/bin/env bash
            if [[ $1 == build ]]; then
              echo "build" >> "$FAKE_LOG"
              [[ -z "${FAKE_BUILD_FAILS:-}" ]] || { echo "error CS0001: broken" >&2; exit 1; }
              mkdir -p "$2/bin/Release/net10.0" && touch "$2/bin/Release/net10.0/jarvis.dll"
              exit 0
            fi
            echo "run ${*:2}" >> "$FAKE_LOG"
            echo "jarvis got: ${*:2}"
            exit 7
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(Path.Combine(_clone, "fake-bin", "dotnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private string Program => Path.Combine(_clone, "src/Jarvis.Cli/bin/Release/net10.0/jarvis.dll");

    private string Log => Path.Combine(_clone, "calls.log");

    public void Dispose() => Directory.Delete(_clone, recursive: true);

    [Fact]
    public async Task The_wrapper_of_the_repository_runs_jarvis_help_and_exits_0()
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot, "jarvis"))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--help");

        // Ten minutes: when a source is newer than the Release build (edited since), the wrapper builds first.
        var run = await CompletedProcess.RunAsync(start, TimeSpan.FromMinutes(10));

        Assert.True(run.ExitCode == 0, $"./jarvis --help exits 0; it exited {run.ExitCode}:\n{run.Output}\n{run.Error}");
        Assert.Contains("Usage: jarvis [command] [options]", run.Text, StringComparison.Ordinal);
        Assert.Contains("demo", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_run_says_it_is_building_builds_once_then_runs_jarvis_with_the_arguments_and_its_exit_code()
    {
        var first = await WrapperAsync("get", "some key");

        Assert.Contains("building jarvis (first run, about a minute)…", first.Error, StringComparison.Ordinal);
        Assert.Equal("jarvis got: get some key\n", first.Output);
        Assert.True(first.ExitCode == 7, "the program's exit code is the wrapper's");
        Assert.Equal(["build", "run get some key"], File.ReadAllLines(Log));
    }

    [Fact]
    public async Task Once_built_it_runs_without_building_or_a_word_until_a_source_changes()
    {
        await WrapperAsync("status");
        SetAge(TimeSpan.FromHours(2), Directory.EnumerateFiles(_clone, "*", SearchOption.AllDirectories).ToArray());
        SetAge(TimeSpan.FromHours(1), Program, Path.Combine(Path.GetDirectoryName(Program)!, ".built-by-wrapper"));
        // Build output is no source, even when newer than the program.
        Directory.CreateDirectory(Path.Combine(_clone, "src/Jarvis.Cli/obj"));
        File.WriteAllText(Path.Combine(_clone, "src/Jarvis.Cli/obj/project.assets.json"), "{}");
        File.Delete(Log);

        var unchanged = await WrapperAsync("status");

        Assert.Equal(string.Empty, unchanged.Error);
        Assert.Equal(["run status"], File.ReadAllLines(Log));

        SetAge(TimeSpan.FromMinutes(30), Path.Combine(_clone, "src/Jarvis.Cli/Program.cs"));
        File.Delete(Log);
        var edited = await WrapperAsync("status");

        Assert.Contains("rebuilding jarvis (src/Jarvis.Cli/Program.cs changed)…", edited.Error, StringComparison.Ordinal);
        Assert.Equal(["build", "run status"], File.ReadAllLines(Log));

        File.Delete(Log);
        await WrapperAsync("status");
        Assert.True(File.ReadAllLines(Log) is ["run status"], "after the rebuild the program runs at once again");
    }

    [Fact]
    public async Task A_failed_build_runs_nothing_exits_1_and_is_tried_again_next_time()
    {
        var failed = await WrapperAsync(["status"], buildFails: true);

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("error CS0001: broken", failed.Error, StringComparison.Ordinal);
        Assert.Contains("jarvis: the build failed (above); nothing was run.", failed.Error, StringComparison.Ordinal);
        Assert.Equal(["build"], File.ReadAllLines(Log));

        var next = await WrapperAsync("status");

        Assert.Contains("building jarvis (first run, about a minute)…", next.Error, StringComparison.Ordinal);
        Assert.Equal(["build", "build", "run status"], File.ReadAllLines(Log));
    }

    private Task<CompletedProcess> WrapperAsync(params string[] arguments) => WrapperAsync(arguments, buildFails: false);

    private Task<CompletedProcess> WrapperAsync(string[] arguments, bool buildFails)
    {
        var start = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _clone,
        };
        start.ArgumentList.Add(Path.Combine(_clone, "jarvis"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PATH"] = Path.Combine(_clone, "fake-bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["FAKE_LOG"] = Log;
        if (buildFails)
        {
            start.Environment["FAKE_BUILD_FAILS"] = "1";
        }
        return CompletedProcess.RunAsync(start, TestCluster.Generous);
    }

    private static void SetAge(TimeSpan age, params string[] paths)
    {
        foreach (var path in paths)
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jarvis.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no Jarvis.slnx above {AppContext.BaseDirectory}");
    }
}
