using System.Diagnostics;

namespace Jarvis.Cluster.Tests;

public sealed class DemoTests
{
    [Fact]
    public async Task Jarvis_demo_exits_0_after_every_node_converges()
    {
        var start = Jarvis.Cli.Internal.JarvisExecutable.FromDll(JarvisProgram.DllPath).StartInfo(["demo", "--timeout", "90"]);
        using var demo = Process.Start(start)!;
        demo.StandardInput.Close();
        var output = demo.StandardOutput.ReadToEndAsync();
        var error = demo.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        try
        {
            await demo.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            demo.Kill(entireProcessTree: true);
            Assert.Fail("jarvis demo did not exit, despite its own 90 s timeout:\n" + await output);
        }

        var text = await output;
        Assert.True(demo.ExitCode == 0, $"jarvis demo exits 0 when every node agrees; it exited {demo.ExitCode}:\n{text}\n{await error}");
        Assert.Contains("Demo passed", text, StringComparison.Ordinal);
        Assert.Contains("converged after the heal", text, StringComparison.Ordinal);
    }
}
