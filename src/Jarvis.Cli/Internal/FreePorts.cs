using System.Net;
using System.Net.Sockets;

namespace Jarvis.Cli.Internal;

/// <summary>Picks free loopback ports for child nodes, which must be told a concrete port.</summary>
internal static class FreePorts
{
    /// <summary>
    /// Returns <paramref name="count"/> distinct ports that were free a moment ago. All probe sockets are held
    /// open until every port is chosen, so the kernel cannot hand out the same one twice.
    /// </summary>
    public static int[] Take(int count)
    {
        var sockets = new List<Socket>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }
            return sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
