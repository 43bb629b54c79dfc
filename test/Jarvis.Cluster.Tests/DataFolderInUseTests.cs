using System.Diagnostics;
using System.Globalization;
using Jarvis.Cli.Internal;

namespace Jarvis.Cluster.Tests;

/// <summary>A second <c>jarvis node run</c> on a data folder a running node holds is refused in one clear line with a non-zero exit code (issue 12, defect 16).</summary>
public sealed class DataFolderInUseTests
{
    [Fact]
    public async Task A_second_node_on_a_data_folder_in_use_exits_1_with_one_line_and_no_stack_trace()
    {
        var directory = Path.Combine(Path.GetTempPath(), "jarvis-in-use-" + Path.GetRandomFileName().Replace(".", string.Empty, StringComparison.Ordinal));
        await using var cluster = new LocalCluster(JarvisProgram.Executable, directory);
        try
        {
            var ports = FreePorts.Take(4);
            var spec = cluster.Spec(0, ports[0], ports[1], insecure: true);
            cluster.Start(spec);
            await cluster.WaitReadyAsync(TestCluster.Generous, null, CancellationToken.None);

            var second = JarvisProgram.Executable.StartInfo(
            [
                "node", "run", "--name", spec.Name, "--data", spec.DataDirectory, "--insecure",
                "--http-port", ports[2].ToString(CultureInfo.InvariantCulture), "--peer-port", ports[3].ToString(CultureInfo.InvariantCulture),
            ]);
            using var process = Process.Start(second)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TestCluster.Generous);
            await process.WaitForExitAsync(timeout.Token);
            var errorLines = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            Assert.True(process.ExitCode == ExitCodes.Failure, $"the second node exits {ExitCodes.Failure}, not {process.ExitCode}");
            Assert.True(errorLines.Length == 1, "the refusal is one line on standard error:\n" + string.Join("\n", errorLines));
            Assert.Contains("could not start", errorLines[0], StringComparison.Ordinal);
            Assert.Contains("locked", errorLines[0], StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", await output + string.Join("\n", errorLines), StringComparison.Ordinal);
            Assert.True(await cluster.Nodes[0].Client.IsReadyAsync(CancellationToken.None), "the node that holds the folder is unaffected");
        }
        finally
        {
            foreach (var node in cluster.Nodes)
            {
                await node.KillAsync();
            }
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A child still flushing its log: the temporary folder is left for the system to clean.
            }
        }
    }
}
