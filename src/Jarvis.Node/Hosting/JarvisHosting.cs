using Jarvis.Agents.Execution;
using Jarvis.Agents.Registry;
using Jarvis.Node.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Jarvis.Node.Hosting;

/// <summary>
/// Hosting a Jarvis node, with agents written in .NET, inside any .NET application:
/// <code>
/// builder.Services.AddJarvis(o => { o.Name = "laptop"; o.DataDirectory = "data"; o.HttpPort = 8080; ... })
///     .AddAgent&lt;Summarizer&gt;("summarizer-1", capacity: 4, ("summarize", 0.9));
/// </code>
/// The node starts with the application's host and stops with it; agents are created from the application's
/// services (constructor injection) once, when the node starts.
/// </summary>
public static class JarvisServiceCollectionExtensions
{
    /// <summary>Adds a node to the application's services (as a hosted service and as <see cref="JarvisNode"/>).</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the node's options (validated when it starts: a bad option fails the host's start with <see cref="NodeConfigurationException"/>).</param>
    /// <returns>A builder to add agents with.</returns>
    /// <exception cref="InvalidOperationException">A node was added already.</exception>
    public static JarvisNodeBuilder AddJarvis(this IServiceCollection services, Action<NodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(JarvisNodeBuilder)))
        {
            throw new InvalidOperationException("AddJarvis was called twice: one application hosts one node.");
        }
        var builder = new JarvisNodeBuilder(services, configure);
        services.AddSingleton(builder);
        services.AddSingleton<JarvisNode>();
        services.AddHostedService(provider => provider.GetRequiredService<JarvisNode>());
        return builder;
    }

    /// <summary>Adds a node to an application builder's services (see <see cref="AddJarvis(IServiceCollection, Action{NodeOptions})"/>).</summary>
    public static JarvisNodeBuilder AddJarvis(this IHostApplicationBuilder builder, Action<NodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddJarvis(configure);
    }
}

/// <summary>Adds agents to the node <see cref="JarvisServiceCollectionExtensions.AddJarvis(IServiceCollection, Action{NodeOptions})"/> added.</summary>
public sealed class JarvisNodeBuilder
{
    private readonly List<(AgentDescriptor Descriptor, Func<IServiceProvider, IAgent> Create)> _agents = [];

    internal JarvisNodeBuilder(IServiceCollection services, Action<NodeOptions> configure)
    {
        Services = services;
        Configure = configure;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    internal Action<NodeOptions> Configure { get; }

    internal IReadOnlyList<(AgentDescriptor Descriptor, Func<IServiceProvider, IAgent> Create)> Agents => _agents;

    /// <summary>Hosts an agent of type <typeparamref name="TAgent"/> (created from the application's services) on the node.</summary>
    /// <param name="id">The agent's id, unique in the cluster.</param>
    /// <param name="capacity">Concurrent runs (1–10,000).</param>
    /// <param name="capabilities">What it can do, with a proficiency (0–1) for each.</param>
    /// <exception cref="Jarvis.Agents.Tasks.InvalidTaskException">The descriptor is out of bounds (checked now, not at start).</exception>
    public JarvisNodeBuilder AddAgent<TAgent>(string id, int capacity, params (string Capability, double Proficiency)[] capabilities)
        where TAgent : class, IAgent
    {
        var descriptor = new AgentDescriptor
        {
            Id = id,
            Capacity = capacity,
            Capabilities = capabilities.ToDictionary(c => c.Capability, c => new AgentSkill(c.Proficiency), StringComparer.Ordinal),
        };
        descriptor.Validate();
        if (_agents.Any(a => a.Descriptor.Id == id))
        {
            throw new InvalidOperationException($"Agent '{id}' was added twice.");
        }
        _agents.Add((descriptor, provider => ActivatorUtilities.GetServiceOrCreateInstance<TAgent>(provider)));
        return this;
    }

    /// <summary>Hosts an agent of type <typeparamref name="TAgent"/> with capacity 1 and full proficiency in each capability.</summary>
    public JarvisNodeBuilder AddAgent<TAgent>(string id, params string[] capabilities)
        where TAgent : class, IAgent
        => AddAgent<TAgent>(id, 1, [.. capabilities.Select(c => (c, 1.0))]);
}

/// <summary>The node an application hosts: started and stopped with the application's host.</summary>
public sealed class JarvisNode : IHostedService, IAsyncDisposable
{
    private readonly JarvisNodeBuilder _builder;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory? _logging;
    private WebApplication? _app;

    /// <summary>Created by the host (see <see cref="JarvisServiceCollectionExtensions"/>).</summary>
    public JarvisNode(JarvisNodeBuilder builder, IServiceProvider services)
    {
        _builder = builder;
        _services = services;
        _logging = services.GetService<ILoggerFactory>();
    }

    /// <summary>The node's options, once it started.</summary>
    public NodeOptions? Options { get; private set; }

    /// <summary>The node's HTTP API (e.g. <c>http://127.0.0.1:8080/</c>), once it started.</summary>
    public Uri? HttpAddress { get; private set; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new NodeOptions();
        _builder.Configure(options);
        var agents = _builder.Agents.Select(a => (a.Descriptor, a.Create(_services))).ToList();
        _app = JarvisNodeHost.Build(options, _logging, new NodeHooks { Agents = agents });
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        Options = options;
        HttpAddress = new Uri($"http://127.0.0.1:{options.HttpPort}/");
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }
}
