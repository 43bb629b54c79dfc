using System.Net;
using Jarvis.Node.Internal;
using Jarvis.Node.Internal.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Jarvis.Node;

/// <summary>
/// Builds and runs a Jarvis node: a Kestrel host with a gRPC peer endpoint on
/// <see cref="NodeOptions.PeerPort"/> (HTTP/2, mTLS against the cluster CA unless
/// <see cref="NodeOptions.Insecure"/>) and the client HTTP/JSON API, <c>/healthz</c>, <c>/readyz</c> and
/// <c>/metrics</c> on <see cref="NodeOptions.HttpPort"/>, driving one replica stored in
/// <see cref="NodeOptions.DataDirectory"/> (under the replica id recorded there, one per storage lifetime).
/// Any exception a client request does not handle is answered 500 <c>application/problem+json</c> with a
/// body, logged once and counted (<c>jarvis_request_failures</c>).
/// </summary>
/// <remarks>Thread-safe (stateless). Each built application owns its own replica and store; stop it to release them.</remarks>
public static class JarvisNodeHost
{
    /// <summary>Builds a node (not started: call <c>StartAsync</c>/<c>StopAsync</c> or <c>RunAsync</c> on it).</summary>
    /// <param name="options">The node's configuration; validated here.</param>
    /// <param name="logging">Where logs go; the console when null.</param>
    /// <exception cref="NodeConfigurationException">The options are invalid, or the certificates cannot be loaded.</exception>
    public static WebApplication Build(NodeOptions options, ILoggerFactory? logging = null)
        => Build(options, logging, new NodeHooks());

    /// <summary>Builds a node with test hooks (faults, extra types) injected.</summary>
    internal static WebApplication Build(NodeOptions options, ILoggerFactory? logging, NodeHooks hooks)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().Concat(ForeignEndpointProblems(hooks.EnvironmentVariable)).ToList();
        if (problems.Count > 0)
        {
            throw new NodeConfigurationException(problems);
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The node is configured by its NodeOptions alone: no appsettings may add endpoints (the URL variables are refused above).
        builder.Configuration.Sources.Clear();
        if (logging is not null)
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(logging);
        }
        else
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        }

        var metrics = new NodeMetrics(options.Name);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(hooks);
        builder.Services.AddSingleton(sp => new PeerSecurity(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Jarvis.Node.PeerSecurity"), metrics));
        builder.Services.AddSingleton<PeerTransport>();
        builder.Services.AddSingleton<NodeRuntime>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeRuntime>());
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = PeerLink.MaxMessageBytes;
            grpc.MaxSendMessageSize = PeerLink.MaxMessageBytes;
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("jarvis-node", serviceInstanceId: options.Name))
            .WithMetrics(meters => meters
            .AddMeter(metrics.MeterName)
            .AddView("jarvis_write_duration", new ExplicitBucketHistogramConfiguration { Boundaries = NodeMetrics.DurationBuckets })
            .AddView("jarvis_read_duration", new ExplicitBucketHistogramConfiguration { Boundaries = NodeMetrics.DurationBuckets })
            .AddPrometheusExporter());

        // Kestrel's options are resolved by Build, so a bad certificate file fails Build, not the first handshake.
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            // gRPC streams live long; the client API enforces MaxBodyBytes itself.
            kestrel.Limits.MaxRequestBodySize = null;
            var address = IPAddress.Parse(options.ListenAddress);
            kestrel.Listen(address, options.HttpPort, listen => listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1);
            var security = kestrel.ApplicationServices.GetRequiredService<PeerSecurity>();
            kestrel.Listen(address, options.PeerPort, security.ConfigureEndpoint);
        });

        var app = builder.Build();
        var runtime = app.Services.GetRequiredService<NodeRuntime>();
        app.Lifetime.ApplicationStopped.Register(metrics.Dispose);
        var failures = new RequestFailureHandler(metrics, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Jarvis.Node.Requests"));
        app.Use(failures.InvokeAsync);

        // Peer traffic only on the peer port, client traffic only on the client port.
        var peerPath = new PathString("/" + Internal.Protocol.PeerLink.Descriptor.FullName);
        app.Use((context, next) =>
        {
            var onPeerPort = context.Connection.LocalPort == options.PeerPort;
            if (onPeerPort != context.Request.Path.StartsWithSegments(peerPath))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.MapGrpcService<PeerLinkService>();
        // Liveness: the replica's loop iterates (a stalled or dead loop is a 503 that a supervisor can act on).
        app.MapGet("/healthz", () => runtime.LivenessProblem() is { } dead
            ? Results.Text("unhealthy: " + dead, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok"));
        app.MapGet("/readyz", () => runtime.ReadinessProblem() is { } problem
            ? Results.Text("not ready: " + problem, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ready"));
        app.MapPrometheusScrapingEndpoint("/metrics");
        ClientApi.Map(app, runtime, options);
        MemberApi.Map(app, runtime);
        app.MapFallback(() => Problems.Create(StatusCodes.Status404NotFound, "Not found", "No such endpoint."));
        return app;
    }

    /// <summary>The environment variables through which ASP.NET Core would add or move endpoints (the <c>urls</c>, <c>http_ports</c> and <c>https_ports</c> host settings).</summary>
    internal static readonly string[] EndpointVariables =
        ["ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTPS_PORTS"];

    /// <summary>
    /// One problem per endpoint variable that is set: the node listens only where its options say (the client API
    /// on <see cref="NodeOptions.HttpPort"/>, peers on <see cref="NodeOptions.PeerPort"/>, both on
    /// <see cref="NodeOptions.ListenAddress"/>), and ignoring a URL its operator set would leave them wondering
    /// where the node is.
    /// </summary>
    private static IEnumerable<string> ForeignEndpointProblems(Func<string, string?> environment)
    {
        foreach (var variable in EndpointVariables)
        {
            if (!string.IsNullOrWhiteSpace(environment(variable)))
            {
                yield return $"{variable} is set ('{environment(variable)}'), but a Jarvis node listens only where its own settings say: "
                    + "the client API on Jarvis:HttpPort (--http-port) at Jarvis:ListenAddress (--listen), peers on Jarvis:PeerPort (--peer-port); "
                    + $"unset {variable}.";
            }
        }
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
                // Asked to stop.
            }
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
