using System.CommandLine;
using System.CommandLine.Parsing;
using Jarvis.Cli.Internal;
using Spectre.Console;
using Jarvis.Node;
using Jarvis.Replication.Storage;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Cli.Commands;

/// <summary>
/// <c>jarvis node run</c>: runs one node in this process. Configuration comes, lowest precedence first, from
/// appsettings.json (working directory, or <c>--config FILE</c>), environment variables (<c>JARVIS__NAME</c>, …),
/// <c>--Jarvis:Key=value</c> settings, and then the named options.
/// </summary>
internal static class NodeRunCommand
{
    private const string SettingPrefix = "--Jarvis:";

    public static Command Create()
    {
        var name = new Option<string?>("--name") { Description = "The node name (a-z, 0-9, '-')." };
        var data = new Option<string?>("--data") { Description = "The folder of the node's SQLite store." };
        var peerPort = new Option<int?>("--peer-port") { Description = "The gRPC peer port (mTLS unless --insecure)." };
        var httpPort = new Option<int?>("--http-port") { Description = "The client HTTP API port." };
        var listen = new Option<string?>("--listen") { Description = "The IP address to listen on (default 127.0.0.1)." };
        var advertise = new Option<string?>("--advertise") { Description = "The host:port other nodes dial (default listen:peer-port)." };
        var seeds = new Option<string[]>("--seed") { Description = "A peer address (host:port) to join through; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var routes = new Option<string[]>("--route") { Description = "NAME=host:port: dial node NAME at this address instead of its gossiped one; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var certs = new Option<string?>("--certs") { Description = "The folder holding ca.crt, NAME.crt and NAME.key." };
        var insecure = new Option<bool>("--insecure") { Description = "Plain HTTP/2 between peers, no TLS (local experiments only)." };
        var config = new Option<string?>("--config") { Description = "A JSON settings file (section \"Jarvis\") instead of ./appsettings.json." };
        var stopWithParent = new Option<bool>(NodeRunCommandNames.StopWithParent) { Hidden = true, Description = "Stop when standard input closes." };
        // The parser hands a token that is no option of this command to the argument, which takes only settings:
        // a mistyped option is an error rather than a configuration key nothing reads.
        // Named as it is written, since help shows an argument's name in the usage line.
        var settings = new Argument<string[]>("--Jarvis:KEY=VALUE")
        {
            Description = "Any node setting by its configuration key, e.g. --Jarvis:MaxBodyBytes=65536 (docs/node.md); repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        settings.Validators.Add(CheckSettings);
        var run = new Command("run", "Run a node in this process until Ctrl+C.")
        {
            name, data, peerPort, httpPort, listen, advertise, seeds, routes, certs, insecure, config, stopWithParent, settings,
        };
        run.SetAction(async (parse, ct) =>
        {
            var options = Bind(parse, config, settings, out var problems);
            if (options is not null)
            {
                ApplyOverrides(options, parse, name, data, peerPort, httpPort, listen, advertise, seeds, routes, certs, insecure, problems);
                problems.AddRange(options.Validate());
            }
            if (options is null || problems.Count > 0)
            {
                Terminal.Fail("the node configuration is invalid:");
                foreach (var problem in problems.Distinct())
                {
                    Terminal.Error.MarkupLineInterpolated($"  - {problem}");
                }
                return ExitCodes.Usage;
            }
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (parse.GetValue(stopWithParent))
            {
                _ = StopWhenStandardInputClosesAsync(stopping);
            }
            try
            {
                await JarvisNodeHost.RunAsync(options, stopping.Token);
            }
            catch (NodeConfigurationException e)
            {
                Terminal.Fail("the node configuration is invalid:");
                foreach (var problem in e.Problems.Count > 0 ? e.Problems : [e.Message])
                {
                    Terminal.Error.MarkupLineInterpolated($"  - {problem}");
                }
                return ExitCodes.Usage;
            }
            catch (IOException e)
            {
                Terminal.Fail($"the node could not start: {e.Message}");
                return ExitCodes.Failure;
            }
            catch (StorageException e)
            {
                // Typically the data folder is in use: another node holds its store open and locked.
                Terminal.Fail($"the node could not start: {e.Message}");
                return ExitCodes.Failure;
            }
            return ExitCodes.Success;
        });
        var node = new Command("node", "Run a Jarvis node.");
        node.Add(run);
        return node;
    }

    /// <summary>Each token is <c>--Jarvis:KEY=VALUE</c>, or <c>--Jarvis:KEY</c> followed by its value.</summary>
    private static void CheckSettings(ArgumentResult result)
    {
        for (var i = 0; i < result.Tokens.Count; i++)
        {
            var token = result.Tokens[i].Value;
            if (!token.StartsWith(SettingPrefix, StringComparison.OrdinalIgnoreCase) || token.Length == SettingPrefix.Length)
            {
                result.AddError($"'{token}' is neither an option of 'jarvis node run' nor a setting (--Jarvis:KEY=VALUE).");
            }
            else if (!token.Contains('=', StringComparison.Ordinal) && ++i == result.Tokens.Count)
            {
                result.AddError($"The setting '{token}' has no value: write {token}=VALUE.");
            }
        }
    }

    private static NodeOptions? Bind(ParseResult parse, Option<string?> config, Argument<string[]> settings, out List<string> problems)
    {
        problems = [];
        var builder = new ConfigurationBuilder();
        var file = parse.GetValue(config);
        if (file is not null)
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                problems.Add($"The configuration file '{path}' does not exist.");
                return null;
            }
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        else
        {
            builder.AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables();
        builder.AddCommandLine(parse.GetValue(settings) ?? []);
        try
        {
            return NodeOptions.FromConfiguration(builder.Build());
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
        {
            problems.Add($"The configuration cannot be read: {e.Message}");
            return null;
        }
    }

    private static void ApplyOverrides(
        NodeOptions options,
        ParseResult parse,
        Option<string?> name,
        Option<string?> data,
        Option<int?> peerPort,
        Option<int?> httpPort,
        Option<string?> listen,
        Option<string?> advertise,
        Option<string[]> seeds,
        Option<string[]> routes,
        Option<string?> certs,
        Option<bool> insecure,
        List<string> problems)
    {
        options.Name = parse.GetValue(name) ?? options.Name;
        options.DataDirectory = parse.GetValue(data) is { } d ? Path.GetFullPath(d) : options.DataDirectory;
        options.PeerPort = parse.GetValue(peerPort) ?? options.PeerPort;
        options.HttpPort = parse.GetValue(httpPort) ?? options.HttpPort;
        options.ListenAddress = parse.GetValue(listen) ?? options.ListenAddress;
        options.AdvertisedPeerAddress = parse.GetValue(advertise) ?? options.AdvertisedPeerAddress;
        options.CertificateDirectory = parse.GetValue(certs) is { } c ? Path.GetFullPath(c) : options.CertificateDirectory;
        options.Insecure |= parse.GetValue(insecure);
        if (parse.GetValue(seeds) is { Length: > 0 } given)
        {
            // Seeds on the command line replace configured ones rather than mixing with them.
            options.Seeds.Clear();
            foreach (var seed in given)
            {
                options.Seeds.Add(seed);
            }
        }
        foreach (var route in parse.GetValue(routes) ?? [])
        {
            var equals = route.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == route.Length - 1)
            {
                problems.Add($"--route '{route}' is not NAME=host:port.");
                continue;
            }
            options.PeerRoutes[route[..equals]] = route[(equals + 1)..];
        }
    }

    private static async Task StopWhenStandardInputClosesAsync(CancellationTokenSource stopping)
    {
        var buffer = new byte[256];
        try
        {
            await using var input = Console.OpenStandardInput();
            while (await input.ReadAsync(buffer, stopping.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (IOException)
        {
            // A broken pipe means the same as end-of-file: the parent is gone.
        }
        await stopping.CancelAsync();
    }
}
