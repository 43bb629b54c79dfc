using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Agents.AI;

/// <summary>
/// Where an LLM agent's model is: an OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI's v1 API,
/// vLLM, Ollama, llama.cpp's server, ...), the model's name and an API key. Read from configuration (section
/// <see cref="SectionName"/>), each value falling back to its environment variable; nothing configured means no LLM
/// agent, and nothing else changes.
/// </summary>
public sealed record LlmAgentOptions
{
    /// <summary>The configuration section: <c>Jarvis:Llm:Endpoint</c>, <c>:Model</c>, <c>:ApiKey</c>, <c>:SystemPrompt</c>, <c>:TimeoutSeconds</c>, <c>:MaxRetries</c>.</summary>
    public const string SectionName = "Jarvis:Llm";

    /// <summary>The environment variable of the endpoint.</summary>
    public const string EndpointVariable = "JARVIS_LLM_ENDPOINT";

    /// <summary>The environment variable of the model.</summary>
    public const string ModelVariable = "JARVIS_LLM_MODEL";

    /// <summary>The environment variable of the API key (keep keys out of configuration files).</summary>
    public const string ApiKeyVariable = "JARVIS_LLM_API_KEY";

    /// <summary>The base address the API paths go under, e.g. <c>https://api.openai.com/v1</c> or <c>http://localhost:11434/v1</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The model's name at that endpoint.</summary>
    public string? Model { get; init; }

    /// <summary>The API key (null: none is sent, for local servers that need none).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Instructions sent before every task's input (null: none).</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>How long one HTTP request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Retries of one request on throttling and server errors (with the same idempotency key), before the run fails.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Reads the options from <paramref name="configuration"/>'s <see cref="SectionName"/>, each missing value from its environment variable.</summary>
    /// <param name="configuration">The application's configuration.</param>
    /// <param name="environment">Reads an environment variable (null: the process's).</param>
    /// <exception cref="FormatException">TimeoutSeconds or MaxRetries is not a whole number.</exception>
    public static LlmAgentOptions FromConfiguration(IConfiguration configuration, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var fromEnvironment = FromEnvironment(environment);
        var options = new LlmAgentOptions
        {
            Endpoint = NonEmpty(section["Endpoint"]) ?? fromEnvironment.Endpoint,
            Model = NonEmpty(section["Model"]) ?? fromEnvironment.Model,
            ApiKey = NonEmpty(section["ApiKey"]) ?? fromEnvironment.ApiKey,
            SystemPrompt = NonEmpty(section["SystemPrompt"]),
        };
        if (NonEmpty(section["TimeoutSeconds"]) is { } timeout)
        {
            options = options with { Timeout = TimeSpan.FromSeconds(int.Parse(timeout, NumberStyles.None, CultureInfo.InvariantCulture)) };
        }
        if (NonEmpty(section["MaxRetries"]) is { } retries)
        {
            options = options with { MaxRetries = int.Parse(retries, NumberStyles.None, CultureInfo.InvariantCulture) };
        }
        return options;
    }

    /// <summary>Reads the options from the environment variables alone.</summary>
    /// <param name="environment">Reads an environment variable (null: the process's).</param>
    public static LlmAgentOptions FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return new LlmAgentOptions
        {
            Endpoint = NonEmpty(environment(EndpointVariable)),
            Model = NonEmpty(environment(ModelVariable)),
            ApiKey = NonEmpty(environment(ApiKeyVariable)),
        };
    }

    /// <summary>Leaves the key out, so options can be logged.</summary>
    public override string ToString()
        => $"LlmAgentOptions {{ Endpoint = {Endpoint}, Model = {Model}, ApiKey = {(ApiKey is null ? "none" : "set")}, Timeout = {Timeout}, MaxRetries = {MaxRetries} }}";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
