using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Jarvis.Cli.Internal;

/// <summary>Picks free loopback ports for child nodes, which must be told a concrete port.</summary>
/// <remarks>
/// A port is chosen here and bound by the child seconds later (or again after a restart). A port from the kernel's
/// ephemeral range could meanwhile become the source port of any outgoing connection on the machine (a peer
/// dialling a node that is down, an HTTP client) or be handed to another program's port-0 bind, and the child would
/// fail to start. So on Linux the ports come from below that range, where the kernel hands out none on its own;
/// elsewhere, or when that range is too small, they come from the kernel (port 0).
/// </remarks>
internal static class FreePorts
{
    private const int LowestPort = 10_000;
    private const int MinimumRange = 1_000;

    // Every port this process has handed out: a probe's port is free again the moment it is released, so two
    // concurrent callers (clusters starting side by side in one test process) could otherwise both be given it,
    // and the second node to bind fails with "address already in use" (seen once in a full suite).
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// Returns <paramref name="count"/> distinct ports that were free a moment ago, none given before in this
    /// process.
    /// </summary>
    public static int[] Take(int count)
    {
        var sockets = new List<Socket>(count);
        try
        {
            var below = EphemeralRangeStart() is { } start && start - LowestPort >= MinimumRange ? start : (int?)null;
            var attempts = 0;
            while (sockets.Count < count)
            {
                var port = below is { } end && attempts++ < 100 * count ? Random.Shared.Next(LowestPort, end) : 0;
                lock (Given)
                {
                    // Reserved before the probe: binding is no test of a port this process already holds — a second
                    // probe bound a port the first still held open (FreePortsTests once got 12321 twice in one call).
                    if (port != 0 && !Given.Add(port))
                    {
                        continue;
                    }
                }
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException) when (port != 0)
                {
                    // Taken: try another.
                    socket.Dispose();
                    continue;
                }
                sockets.Add(socket);
            }
            int[] ports = [.. sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];
            lock (Given)
            {
                Given.UnionWith(ports); // the ephemeral fallback's ports, which were not reserved up front
            }
            return ports;
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>The first port of the kernel's ephemeral range, or null where it cannot be read.</summary>
    private static int? EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return range.Length == 2 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
