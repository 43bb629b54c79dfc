using Microsoft.Extensions.Configuration;

namespace Jarvis.Node.Tests;

public sealed class NodeOptionsTests
{
    private static NodeOptions Valid() => new()
    {
        Name = "node-1",
        DataDirectory = "/tmp/jarvis-options-test",
        PeerPort = 7001,
        HttpPort = 8001,
        Insecure = true,
    };

    [Fact]
    public void Valid_options_have_no_problems()
        => Assert.Empty(Valid().Validate());

    [Fact]
    public void Every_problem_is_listed_at_once()
    {
        var options = new NodeOptions { PeerPort = 70000, HttpPort = 0 };
        options.Seeds.Add("no-port");
        var problems = options.Validate();
        Assert.Contains(problems, p => p.Contains("Name is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("DataDirectory is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("PeerPort 70000", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("HttpPort 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'no-port' is not host:port", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("CertificateDirectory is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Node-1")]
    [InlineData("-node")]
    [InlineData("node_1")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    [InlineData("localhost")]
    public void A_name_outside_the_pattern_is_refused(string name)
    {
        var options = Valid();
        options.Name = name;
        Assert.Contains(options.Validate(), p => p.Contains("is not a node name", StringComparison.Ordinal));
    }

    [Fact]
    public void Leaving_on_stop_is_on_by_default_bounded_and_can_be_turned_off()
    {
        Assert.True(Valid().LeaveOnStop);
        Assert.Equal(NodeOptions.DefaultLeaveTimeoutMs, Valid().LeaveTimeoutMs);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jarvis:LeaveOnStop"] = "false",
            ["Jarvis:LeaveTimeoutMs"] = "700000",
        }).Build();
        var bound = NodeOptions.FromConfiguration(configuration);
        Assert.False(bound.LeaveOnStop);
        Assert.Contains(bound.Validate(), p => p.Contains("LeaveTimeoutMs 700000 is out of range", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_port_for_peers_and_clients_is_refused()
    {
        var options = Valid();
        options.HttpPort = options.PeerPort;
        Assert.Contains(options.Validate(), p => p.Contains("must differ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("host")]
    [InlineData("host:")]
    [InlineData(":80")]
    [InlineData("host:port")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("ho st:80")]
    public void A_seed_that_is_not_host_and_port_is_refused(string seed)
    {
        var options = Valid();
        options.Seeds.Add(seed);
        Assert.Contains(options.Validate(), p => p.Contains("is not host:port", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("localhost:7000")]
    [InlineData("10.0.0.1:1")]
    [InlineData("[::1]:7000")]
    [InlineData("node-2.jarvis.svc:65535")]
    public void A_host_and_port_seed_is_accepted(string seed)
    {
        var options = Valid();
        options.Seeds.Add(seed);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Missing_certificate_files_are_named_when_not_insecure()
    {
        var directory = Directory.CreateTempSubdirectory("jarvis-certs-").FullName;
        try
        {
            var options = Valid();
            options.Insecure = false;
            options.CertificateDirectory = directory;
            var problems = options.Validate();
            Assert.Contains(problems, p => p.Contains("ca.crt", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("node-1.crt", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("node-1.key", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Options_bind_from_the_jarvis_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jarvis:Name"] = "node-2",
            ["Jarvis:DataDirectory"] = "/data",
            ["Jarvis:PeerPort"] = "7002",
            ["Jarvis:HttpPort"] = "8002",
            ["Jarvis:Insecure"] = "true",
            ["Jarvis:Seeds:0"] = "127.0.0.1:7001",
            ["Jarvis:PeerRoutes:node-1"] = "127.0.0.1:9001",
            ["Jarvis:MaxBodyBytes"] = "4096",
            ["Jarvis:MaxClockDriftMs"] = "5000",
        }).Build();
        var options = NodeOptions.FromConfiguration(configuration);
        Assert.Empty(options.Validate());
        Assert.Equal("node-2", options.Name);
        Assert.Equal(7002, options.PeerPort);
        Assert.Equal(["127.0.0.1:7001"], options.Seeds);
        Assert.Equal("127.0.0.1:9001", options.PeerRoutes["node-1"]);
        Assert.Equal(4096, options.MaxBodyBytes);
        Assert.Equal(5000, options.MaxClockDriftMs);
        Assert.Equal("127.0.0.1:7002", options.EffectivePeerAddress);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(86_400_001)]
    public void A_clock_drift_bound_out_of_range_is_refused(long driftMs)
    {
        var options = Valid();
        options.MaxClockDriftMs = driftMs;
        Assert.Contains(options.Validate(), p => p.Contains("MaxClockDriftMs", StringComparison.Ordinal));
    }

    [Fact]
    public void The_clock_drift_bound_is_a_minute_by_default()
        => Assert.Equal(60_000, Valid().MaxClockDriftMs);

    [Fact]
    public void A_number_that_does_not_parse_is_a_problem_not_a_crash()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jarvis:Name"] = "node-2",
            ["Jarvis:DataDirectory"] = "/data",
            ["Jarvis:PeerPort"] = "seven",
            ["Jarvis:HttpPort"] = "8002",
            ["Jarvis:Insecure"] = "maybe",
        }).Build();
        var problems = NodeOptions.FromConfiguration(configuration).Validate();
        Assert.Contains(problems, p => p.Contains("'seven' is not a number", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'maybe' is not true or false", StringComparison.Ordinal));
    }

    [Fact]
    public void Building_a_host_with_invalid_options_throws_listing_every_problem()
    {
        var exception = Assert.Throws<NodeConfigurationException>(() => JarvisNodeHost.Build(new NodeOptions()));
        Assert.True(exception.Problems.Count >= 3, "name, data directory and ports are all reported");
        foreach (var problem in exception.Problems)
        {
            Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
        }
    }
}
