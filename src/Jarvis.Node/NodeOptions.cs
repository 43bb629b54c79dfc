using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Node;

/// <summary>
/// The configuration of one node, bound from the configuration section <c>"Jarvis"</c>
/// (appsettings.json, <c>Jarvis__Name</c>-style environment variables, <c>--Jarvis:Name=...</c> on the
/// command line) or built directly. Check it with <see cref="Validate"/>; the host refuses to start with a
/// <see cref="NodeConfigurationException"/> listing every problem.
/// </summary>
/// <remarks>A plain settings object: not thread-safe while it is being changed; the host reads it once at start.</remarks>
public sealed partial class NodeOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Jarvis";

    /// <summary>The default <see cref="MaxBodyBytes"/>: 1 MiB.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>The default <see cref="LeaveTimeoutMs"/>: 5 s.</summary>
    public const int DefaultLeaveTimeoutMs = 5_000;

    /// <summary>
    /// The node's name: <c>[a-z0-9][a-z0-9-]{0,62}</c>, not <c>localhost</c>; its certificate names exactly it.
    /// Stable across restarts (routes, status, certificates); the replica id it writes under is not — it is
    /// recorded in the data folder, one per storage lifetime. Required.
    /// </summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The folder holding the node's SQLite store. Required.</summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>The IP address both endpoints listen on; <c>127.0.0.1</c> by default.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The port of the gRPC peer endpoint (HTTP/2; TLS with client certificates unless <see cref="Insecure"/>).</summary>
    public int PeerPort { get; set; }

    /// <summary>The port of the client HTTP/JSON API (plain HTTP/1.1).</summary>
    public int HttpPort { get; set; }

    /// <summary>Peer addresses (<c>host:port</c>) of existing members to join through; empty for the first node.</summary>
    public IList<string> Seeds { get; } = [];

    /// <summary>The <c>host:port</c> other nodes dial to reach this one; <c>ListenAddress:PeerPort</c> when empty.</summary>
    public string? AdvertisedPeerAddress { get; set; }

    /// <summary>
    /// Dial addresses (<c>host:port</c>) by node name, used instead of the address a member gossips
    /// (to route links through a proxy, for instance).
    /// </summary>
    public IDictionary<string, string> PeerRoutes { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The folder holding <c>ca.crt</c>, <c>NAME.crt</c> and <c>NAME.key</c> (PEM). Required unless <see cref="Insecure"/>.</summary>
    public string? CertificateDirectory { get; set; }

    /// <summary>Plain HTTP/2 between peers, without TLS or authentication: for local experiments only.</summary>
    public bool Insecure { get; set; }

    /// <summary>The largest request body the client API accepts; 1 MiB by default.</summary>
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>
    /// Whether a graceful stop (SIGTERM, Ctrl+C) leaves the cluster: the node hands off what only it holds,
    /// announces Left and stops counting towards quorums; its identity is spent, so its next start joins as
    /// a new member with the data it kept. True by default; false keeps the membership (for a restart in
    /// place, an upgrade), so the node is Down until it returns under the same identity.
    /// </summary>
    public bool LeaveOnStop { get; set; } = true;

    /// <summary>
    /// Ship every write to the peers as soon as it is durable, not at the next 50 ms sync round (<c>Jarvis:PushEveryWrite</c>;
    /// off by default): lower latency for agent coordination across nodes (a task's start and result), more and
    /// smaller messages under write load.
    /// </summary>
    public bool PushEveryWrite { get; set; }

    /// <summary>
    /// How long a leaving node waits for its hand-off and announcement before stopping anyway (5 s by
    /// default): if the hand-off did not complete (a peer unreachable, say), the node stops without leaving
    /// and keeps its identity and membership.
    /// </summary>
    public int LeaveTimeoutMs { get; set; } = DefaultLeaveTimeoutMs;

    /// <summary>The default <see cref="MaxClockDriftMs"/>: one minute.</summary>
    public const long DefaultMaxClockDriftMs = 60_000;

    /// <summary>
    /// How far a peer's clock, or a received timestamp, may be ahead of this node's before it is refused; one
    /// minute by default. A node whose clock most members disagree with by more reports it and takes no writes.
    /// </summary>
    public long MaxClockDriftMs { get; set; } = DefaultMaxClockDriftMs;

    /// <summary>The built-in agents this node hosts (<c>Jarvis:Agents:0:Kind</c>, <c>Jarvis:Agents:0:Id</c>, …); none by default.</summary>
    public IList<HostedAgentOptions> Agents { get; } = [];

    /// <summary>The wall clock the node's hybrid logical clock reads (tests shift it; faketime shifts a whole process).</summary>
    internal TimeProvider WallClock { get; set; } = TimeProvider.System;

    /// <summary>The address gossiped to the other members and sent in hellos: <see cref="AdvertisedPeerAddress"/> or <c>ListenAddress:PeerPort</c>.</summary>
    public string EffectivePeerAddress
        => string.IsNullOrWhiteSpace(AdvertisedPeerAddress)
            ? FormatEndpoint(ListenAddress, PeerPort)
            : AdvertisedPeerAddress;

    /// <summary>Binds options from the <c>"Jarvis"</c> section of a configuration (not validated).</summary>
    public static NodeOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var options = new NodeOptions
        {
            Name = section[nameof(Name)] ?? string.Empty,
            DataDirectory = section[nameof(DataDirectory)] ?? string.Empty,
            ListenAddress = section[nameof(ListenAddress)] ?? "127.0.0.1",
            AdvertisedPeerAddress = section[nameof(AdvertisedPeerAddress)],
            CertificateDirectory = section[nameof(CertificateDirectory)],
        };
        var problems = new List<string>();
        options.PeerPort = ReadInt(section, nameof(PeerPort), 0, problems);
        options.HttpPort = ReadInt(section, nameof(HttpPort), 0, problems);
        options.MaxBodyBytes = ReadLong(section, nameof(MaxBodyBytes), DefaultMaxBodyBytes, problems);
        options.MaxClockDriftMs = ReadLong(section, nameof(MaxClockDriftMs), DefaultMaxClockDriftMs, problems);
        options.Insecure = ReadBool(section, nameof(Insecure), false, problems);
        options.LeaveOnStop = ReadBool(section, nameof(LeaveOnStop), true, problems);
        options.PushEveryWrite = ReadBool(section, nameof(PushEveryWrite), false, problems);
        options.LeaveTimeoutMs = ReadInt(section, nameof(LeaveTimeoutMs), DefaultLeaveTimeoutMs, problems);
        // Seeds come as an array (Seeds:0, Seeds:1) or as one comma-separated value (handy in environment variables).
        var seeds = section.GetSection(nameof(Seeds));
        if (seeds.Value is { } joined)
        {
            foreach (var seed in joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.Seeds.Add(seed);
            }
        }
        foreach (var child in seeds.GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(child.Value))
            {
                options.Seeds.Add(child.Value.Trim());
            }
        }
        foreach (var route in section.GetSection(nameof(PeerRoutes)).GetChildren())
        {
            if (route.Value is not null)
            {
                options.PeerRoutes[route.Key] = route.Value;
            }
        }
        foreach (var child in section.GetSection(nameof(Agents)).GetChildren())
        {
            var at = $"{nameof(Agents)}:{child.Key}:";
            var agent = new HostedAgentOptions { Kind = child[nameof(HostedAgentOptions.Kind)] ?? string.Empty, Id = child[nameof(HostedAgentOptions.Id)] ?? string.Empty };
            agent.Capacity = ReadInt(section, at + nameof(HostedAgentOptions.Capacity), agent.Capacity, problems);
            agent.Proficiency = ReadDouble(section, at + nameof(HostedAgentOptions.Proficiency), agent.Proficiency, problems);
            agent.DurationMs = ReadLong(section, at + nameof(HostedAgentOptions.DurationMs), agent.DurationMs, problems);
            agent.FailureRate = ReadDouble(section, at + nameof(HostedAgentOptions.FailureRate), agent.FailureRate, problems);
            agent.Seed = ReadInt(section, at + nameof(HostedAgentOptions.Seed), agent.Seed, problems);
            options.Agents.Add(agent);
        }
        options._bindingProblems.AddRange(problems);
        return options;
    }

    private readonly List<string> _bindingProblems = [];

    /// <summary>Every problem with these options, as sentences; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(_bindingProblems);
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add("Jarvis:Name is required.");
        }
        else if (!IsNodeName(Name))
        {
            problems.Add($"Jarvis:Name '{Name}' is not a node name: use 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit (and not 'localhost').");
        }
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Add("Jarvis:DataDirectory is required.");
        }
        if (!IPAddress.TryParse(ListenAddress, out _))
        {
            problems.Add($"Jarvis:ListenAddress '{ListenAddress}' is not an IP address.");
        }
        var peerPortValid = CheckPort(nameof(PeerPort), PeerPort, problems);
        var httpPortValid = CheckPort(nameof(HttpPort), HttpPort, problems);
        if (peerPortValid && httpPortValid && PeerPort == HttpPort && PeerPort != 0)
        {
            problems.Add($"Jarvis:PeerPort and Jarvis:HttpPort are both {PeerPort}: they must differ.");
        }
        for (var i = 0; i < Seeds.Count; i++)
        {
            if (!TryParseEndpoint(Seeds[i], out _, out _))
            {
                problems.Add($"Jarvis:Seeds:{i} '{Seeds[i]}' is not host:port.");
            }
        }
        if (!string.IsNullOrWhiteSpace(AdvertisedPeerAddress) && !TryParseEndpoint(AdvertisedPeerAddress, out _, out _))
        {
            problems.Add($"Jarvis:AdvertisedPeerAddress '{AdvertisedPeerAddress}' is not host:port.");
        }
        foreach (var (name, address) in PeerRoutes)
        {
            if (!IsNodeName(name))
            {
                problems.Add($"Jarvis:PeerRoutes:{name} does not name a node.");
            }
            if (!TryParseEndpoint(address, out _, out _))
            {
                problems.Add($"Jarvis:PeerRoutes:{name} '{address}' is not host:port.");
            }
        }
        if (LeaveTimeoutMs is < 0 or > 600_000)
        {
            problems.Add($"Jarvis:LeaveTimeoutMs {LeaveTimeoutMs} is out of range: use 0 to 600000.");
        }
        if (MaxBodyBytes < 1024 || MaxBodyBytes > 64L * 1024 * 1024)
        {
            problems.Add($"Jarvis:MaxBodyBytes {MaxBodyBytes} is out of range: use 1024 to 67108864.");
        }
        if (MaxClockDriftMs < 100 || MaxClockDriftMs > 86_400_000)
        {
            problems.Add($"Jarvis:MaxClockDriftMs {MaxClockDriftMs} is out of range: use 100 (a tenth of a second) to 86400000 (a day).");
        }
        CheckAgents(problems);
        if (!Insecure)
        {
            CheckCertificates(problems);
        }
        return problems;
    }

    private void CheckAgents(List<string> problems)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Agents.Count; i++)
        {
            var agent = Agents[i];
            var at = $"Jarvis:Agents:{i}";
            if (agent is null)
            {
                problems.Add($"{at} is empty.");
                continue;
            }
            if (!HostedAgentOptions.Kinds.Contains(agent.Kind))
            {
                problems.Add($"{at}:Kind '{agent.Kind}' is not a built-in agent: use one of {string.Join(", ", HostedAgentOptions.Kinds)}.");
            }
            try
            {
                Jarvis.Agents.Tasks.TaskSpecValidator.RequireName(agent.Id, "Id", allowSlash: false);
                if (!ids.Add(agent.Id))
                {
                    problems.Add($"{at}:Id '{agent.Id}' names another hosted agent too: ids are unique.");
                }
            }
            catch (Jarvis.Agents.Tasks.InvalidTaskException exception)
            {
                problems.Add($"{at}:Id '{agent.Id}' is not an agent id: {exception.Message}");
            }
            if (agent.Capacity is < 1 or > 10_000)
            {
                problems.Add($"{at}:Capacity {agent.Capacity} is out of range: use 1 to 10000.");
            }
            if (!double.IsFinite(agent.Proficiency) || agent.Proficiency is < 0 or > 1)
            {
                problems.Add($"{at}:Proficiency {agent.Proficiency} is out of range: use 0 to 1.");
            }
            if (agent.Kind is "sleep" or "flaky" && agent.DurationMs is < 0 or > Jarvis.Agents.Tasks.TaskSpecValidator.MaxDurationMs)
            {
                problems.Add($"{at}:DurationMs {agent.DurationMs} is out of range: use 0 to {Jarvis.Agents.Tasks.TaskSpecValidator.MaxDurationMs}.");
            }
            if (agent.Kind == "flaky" && (!double.IsFinite(agent.FailureRate) || agent.FailureRate is < 0 or > 1))
            {
                problems.Add($"{at}:FailureRate {agent.FailureRate} is out of range: use 0 to 1.");
            }
        }
    }

    private void CheckCertificates(List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(CertificateDirectory))
        {
            problems.Add("Jarvis:CertificateDirectory is required unless Jarvis:Insecure is true (make one with `jarvis cert init --dir DIR` and `jarvis cert issue NAME --dir DIR`, or ClusterCertificates in code).");
            return;
        }
        var files = new List<string> { ClusterCertificates.AuthorityCertificateFile };
        if (!string.IsNullOrWhiteSpace(Name) && IsNodeName(Name))
        {
            files.Add(Name + ClusterCertificates.CertificateExtension);
            files.Add(Name + ClusterCertificates.KeyExtension);
        }
        foreach (var file in files)
        {
            var path = Path.Combine(CertificateDirectory, file);
            if (!File.Exists(path))
            {
                problems.Add($"Certificate file '{path}' does not exist.");
            }
        }
    }

    private static bool CheckPort(string key, int port, List<string> problems)
    {
        // Port 0 is refused in configuration: a node must be reachable at a known port.
        if (port is < 1 or > 65535)
        {
            problems.Add($"Jarvis:{key} {port} is not a port: use 1 to 65535.");
            return false;
        }
        return true;
    }

    /// <summary>Parses <c>host:port</c> (a bracketed IPv6 host allowed).</summary>
    internal static bool TryParseEndpoint(string? text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }
        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        if (host.Length == 0 || host.Contains(':', StringComparison.Ordinal) && !IPAddress.TryParse(host, out _) || host.Any(char.IsWhiteSpace))
        {
            return false;
        }
        return int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
    }

    internal static string FormatEndpoint(string host, int port)
        => host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");

    private static int ReadInt(IConfigurationSection section, string key, int fallback, List<string> problems)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        problems.Add($"Jarvis:{key} '{text}' is not a number.");
        return fallback;
    }

    private static long ReadLong(IConfigurationSection section, string key, long fallback, List<string> problems)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        problems.Add($"Jarvis:{key} '{text}' is not a number.");
        return fallback;
    }

    private static double ReadDouble(IConfigurationSection section, string key, double fallback, List<string> problems)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        problems.Add($"Jarvis:{key} '{text}' is not a number.");
        return fallback;
    }

    private static bool ReadBool(IConfigurationSection section, string key, bool fallback, List<string> problems)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        if (bool.TryParse(text, out var value))
        {
            return value;
        }
        problems.Add($"Jarvis:{key} '{text}' is not true or false.");
        return fallback;
    }

    /// <summary>
    /// Whether <paramref name="name"/> can name a node: the pattern, and not <c>localhost</c>, which every
    /// machine calls itself (a certificate naming it would name any node).
    /// </summary>
    internal static bool IsNodeName(string name) => NamePattern().IsMatch(name) && name != "localhost";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    internal static partial Regex NamePattern();
}
