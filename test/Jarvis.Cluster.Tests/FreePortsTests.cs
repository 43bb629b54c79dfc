using System.Globalization;
using Jarvis.Cli.Internal;

namespace Jarvis.Cluster.Tests;

public sealed class FreePortsTests
{
    [Fact]
    public void Ports_for_child_nodes_are_distinct_and_outside_the_range_the_kernel_hands_out_on_its_own()
    {
        var ports = FreePorts.Take(40);
        Assert.True(ports.Distinct().Count() == 40, "no port is given twice: " + string.Join(", ", ports));
        if (OperatingSystem.IsLinux())
        {
            var start = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            Assert.True(start < 11_000 || ports.All(p => p < start), $"a port a child binds seconds later is below the ephemeral range (from {start}), so no outgoing connection can hold it meanwhile: " + string.Join(", ", ports));
        }
    }

    [Fact]
    public void A_process_is_never_given_the_same_port_twice_even_by_concurrent_callers()
    {
        var taken = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 8, _ =>
        {
            foreach (var port in FreePorts.Take(25))
            {
                taken.Add(port);
            }
        });
        Assert.True(taken.Distinct().Count() == 200, "each port once, though every probe was released before the next caller probed");
    }
}
