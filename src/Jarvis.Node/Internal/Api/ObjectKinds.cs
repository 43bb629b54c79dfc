using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Crdt;
using Jarvis.Replication;

namespace Jarvis.Node.Internal.Api;

/// <summary>The object types the client API offers, by API name and by CRDT type name.</summary>
internal static class ObjectKinds
{
    private static readonly ObjectKind[] All =
    [
        new GCounterKind(),
        new PNCounterKind(),
        new RegisterKind(),
        new MVRegisterKind(),
        new SetKind(),
        new FlagKind(),
        new MapKind(),
        new TextKind(),
        new TimeSeriesKind(),
        new WorkflowKind(),
        new BallotKind(),
    ];

    private static readonly FrozenDictionary<string, ObjectKind> ByApiName = All.ToFrozenDictionary(k => k.ApiName, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, ObjectKind> ByTypeName = All.ToFrozenDictionary(k => k.TypeName, StringComparer.Ordinal);

    /// <summary>The API names, for error messages.</summary>
    public static string Names { get; } = string.Join(", ", All.Select(k => k.ApiName));

    public static bool TryGet(string apiName, out ObjectKind kind) => ByApiName.TryGetValue(apiName, out kind!);

    public static ObjectKind? ForType(string typeName) => ByTypeName.GetValueOrDefault(typeName);

    private static string NameOf<T>() => CrdtTypeRegistry.NameOf(typeof(T));

    private sealed class GCounterKind() : ObjectKind("gcounter", NameOf<GCounter>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op != "increment")
            {
                return Unknown(op, "increment", out mutation, out error);
            }
            if (!TryGetAmount(body, out var by, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return Accept((tx, key, c) => tx.Update<GCounter>(key, s => s.Increment(c.Replica, by)), out mutation, out error);
        }

        public override JsonNode? Render(object state) => JsonValue.Create(((GCounter)state).Value);
    }

    private sealed class PNCounterKind() : ObjectKind("pncounter", NameOf<PNCounter>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op is not ("increment" or "decrement"))
            {
                return Unknown(op, "increment or decrement", out mutation, out error);
            }
            if (!TryGetAmount(body, out var by, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return op == "increment"
                ? Accept((tx, key, c) => tx.Update<PNCounter>(key, s => s.Increment(c.Replica, by)), out mutation, out error)
                : Accept((tx, key, c) => tx.Update<PNCounter>(key, s => s.Decrement(c.Replica, by)), out mutation, out error);
        }

        public override JsonNode? Render(object state) => JsonValue.Create(((PNCounter)state).Value);
    }

    private sealed class RegisterKind() : ObjectKind("register", NameOf<LWWRegister<string>>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op != "set")
            {
                return Unknown(op, "set", out mutation, out error);
            }
            if (!TryGetString(body, "value", out var value, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return Accept((tx, key, c) => tx.Update<LWWRegister<string>>(key, s => s.Set(c.Replica, c.Clock, value)), out mutation, out error);
        }

        public override JsonNode? Render(object state) => ((LWWRegister<string>)state).GetValueOrDefault() is { } value ? JsonValue.Create(value) : null;
    }

    private sealed class MVRegisterKind() : ObjectKind("mvregister", NameOf<MVRegister<string>>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op != "set")
            {
                return Unknown(op, "set", out mutation, out error);
            }
            if (!TryGetString(body, "value", out var value, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return Accept((tx, key, c) => tx.Update<MVRegister<string>>(key, s => s.Write(c.Replica, value)), out mutation, out error);
        }

        public override JsonNode? Render(object state)
            => new JsonArray([.. ((MVRegister<string>)state).Values.Select(v => (JsonNode?)JsonValue.Create(v))]);
    }

    private sealed class SetKind() : ObjectKind("set", NameOf<ORSet<string>>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op is not ("add" or "remove"))
            {
                return Unknown(op, "add or remove", out mutation, out error);
            }
            if (!TryGetValues(body, out var values, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return op == "add"
                ? Accept((tx, key, c) => Array.ForEach(values, v => tx.Update<ORSet<string>>(key, s => s.Add(c.Replica, v))), out mutation, out error)
                : Accept((tx, key, _) => Array.ForEach(values, v => tx.Update<ORSet<string>>(key, s => s.Remove(v))), out mutation, out error);
        }

        public override JsonNode? Render(object state)
            => new JsonArray([.. ((ORSet<string>)state).Elements.Order(StringComparer.Ordinal).Select(v => (JsonNode?)JsonValue.Create(v))]);

        private static bool TryGetValues(JsonElement body, out string[] values, out string? error)
        {
            values = [];
            var hasOne = body.TryGetProperty("value", out var one);
            var hasMany = body.TryGetProperty("values", out var many);
            if (hasOne == hasMany)
            {
                error = "The operation needs either a \"value\" string or a \"values\" array of strings.";
                return false;
            }
            if (hasOne)
            {
                if (one.ValueKind != JsonValueKind.String)
                {
                    error = "\"value\" must be a string.";
                    return false;
                }
                values = [one.GetString()!];
                error = null;
                return true;
            }
            if (many.ValueKind != JsonValueKind.Array || many.GetArrayLength() == 0 || many.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                error = "\"values\" must be a non-empty array of strings.";
                return false;
            }
            values = [.. many.EnumerateArray().Select(e => e.GetString()!)];
            error = null;
            return true;
        }
    }

    private sealed class FlagKind() : ObjectKind("flag", NameOf<EWFlag>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return op switch
            {
                "enable" => Accept((tx, key, c) => tx.Update<EWFlag>(key, s => s.Enable(c.Replica)), out mutation, out error),
                "disable" => Accept((tx, key, _) => tx.Update<EWFlag>(key, s => s.Disable()), out mutation, out error),
                _ => Unknown(op, "enable or disable", out mutation, out error),
            };
        }

        public override JsonNode? Render(object state) => JsonValue.Create(((EWFlag)state).Value);
    }

    private sealed class MapKind() : ObjectKind("map", NameOf<LWWMap<string, string>>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op is not ("set" or "remove"))
            {
                return Unknown(op, "set or remove", out mutation, out error);
            }
            if (!TryGetString(body, "field", out var field, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op == "remove")
            {
                return Accept((tx, key, c) => tx.Update<LWWMap<string, string>>(key, s => s.Remove(c.Replica, c.Clock, field)), out mutation, out error);
            }
            if (!TryGetString(body, "value", out var value, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return Accept((tx, key, c) => tx.Update<LWWMap<string, string>>(key, s => s.Set(c.Replica, c.Clock, field, value)), out mutation, out error);
        }

        public override JsonNode? Render(object state)
        {
            var result = new JsonObject();
            foreach (var (field, value) in ((LWWMap<string, string>)state).Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                result[field] = value;
            }
            return result;
        }
    }

    private sealed class TextKind() : ObjectKind("text", NameOf<FugueText>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op is not ("insert" or "delete"))
            {
                return Unknown(op, "insert or delete", out mutation, out error);
            }
            if (!TryGetIndex(body, "index", out var index, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op == "delete")
            {
                if (!TryGetIndex(body, "length", out var length, out error))
                {
                    return Refuse(error, out mutation, out error);
                }
                return Accept((tx, key, c) => tx.Update<FugueText>(key, s => s.Delete(c.Replica, index, length)), out mutation, out error);
            }
            if (!TryGetString(body, "text", out var text, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            return Accept((tx, key, c) => tx.Update<FugueText>(key, s => s.Insert(c.Replica, index, text)), out mutation, out error);
        }

        public override JsonNode? Render(object state) => JsonValue.Create(((FugueText)state).ToString());

        private static bool TryGetIndex(JsonElement body, string name, out int value, out string? error)
        {
            value = 0;
            if (!body.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out value) || value < 0)
            {
                error = $"The operation needs \"{name}\", a whole number from 0.";
                return false;
            }
            error = null;
            return true;
        }
    }
    private sealed class TimeSeriesKind() : ObjectKind("timeseries", NameOf<TimeSeries>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op is not ("append" or "downsample" or "discard"))
            {
                return Unknown(op, "append, downsample or discard", out mutation, out error);
            }
            if (op != "append")
            {
                if (!TryGetTimestamp(body, "before", out var before, out error))
                {
                    return Refuse(error, out mutation, out error);
                }
                return op == "downsample"
                    ? Accept((tx, key, c) => tx.Update<TimeSeries>(key, s => s.DownsampleBefore(before)), out mutation, out error)
                    : Accept((tx, key, c) => tx.Update<TimeSeries>(key, s => s.DiscardBefore(before)), out mutation, out error);
            }
            if (!TryGetTimestamp(body, "timestamp", out var timestamp, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (!body.TryGetProperty("value", out var element) || element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                return Refuse("The operation needs \"value\", a finite number.", out mutation, out error);
            }
            return Accept((tx, key, c) => tx.Update<TimeSeries>(key, s => s.Append(c.Replica, timestamp, value)), out mutation, out error);
        }

        /// <summary>The series' watermarks and its windows (one minute each), every one with its aggregate.</summary>
        public override JsonNode? Render(object state)
        {
            var series = (TimeSeries)state;
            var windows = new JsonArray();
            foreach (var (start, aggregate) in series.Windows(long.MinValue, long.MaxValue))
            {
                windows.Add(new JsonObject
                {
                    ["start"] = start,
                    ["count"] = aggregate.Count,
                    ["sum"] = aggregate.Sum,
                    ["min"] = aggregate.Min,
                    ["max"] = aggregate.Max,
                    ["last"] = aggregate.Last.Value,
                });
            }
            return new JsonObject
            {
                ["windowMs"] = series.WindowMilliseconds,
                ["downsampledBefore"] = series.DownsampledBefore == long.MinValue ? null : series.DownsampledBefore,
                ["retainedFrom"] = series.RetainedFrom == long.MinValue ? null : series.RetainedFrom,
                ["windows"] = windows,
            };
        }

        private static bool TryGetTimestamp(JsonElement body, string name, out long value, out string? error)
        {
            value = 0;
            if (!body.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out value)
                || value < TimeSeries.MinTimestamp || value > TimeSeries.MaxTimestamp)
            {
                error = $"The operation needs \"{name}\", a whole number of milliseconds from {TimeSeries.MinTimestamp} to {TimeSeries.MaxTimestamp}.";
                return false;
            }
            error = null;
            return true;
        }
    }
    /// <summary>Runs a mutator whose own rules may refuse it, turning the refusal into <see cref="ObjectRefusedException"/>.</summary>
    private static T Ruled<T>(Func<T> mutator)
    {
        try
        {
            return mutator();
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            throw new ObjectRefusedException(exception.Message, exception);
        }
    }

    private sealed class WorkflowKind() : ObjectKind("workflow", NameOf<Workflow>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op != "transition")
            {
                return Unknown(op, "transition", out mutation, out error);
            }
            if (!TryGetString(body, "to", out var to, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (!TryGetDefinition(body, out var definition, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (!definition!.States.Contains(to))
            {
                return Refuse($"\"to\" names no state of workflow '{definition.Name}'.", out mutation, out error);
            }
            return Accept((tx, key, c) => tx.Update<Workflow>(key, w => Ruled(() => w.Bind(definition).Transition(c.Replica, to))), out mutation, out error);
        }

        /// <summary>The state, the states it may move to, and the transitions made, oldest rank first.</summary>
        public override JsonNode? Render(object state)
        {
            var workflow = (Workflow)state;
            if (!workflow.IsBound)
            {
                return null;
            }
            var history = new JsonArray();
            foreach (var step in workflow.History)
            {
                history.Add(new JsonObject { ["from"] = step.From, ["to"] = step.To, ["by"] = step.Replica.ToString() });
            }
            return new JsonObject
            {
                ["definition"] = workflow.Definition!.Name,
                ["state"] = workflow.State,
                ["final"] = workflow.IsFinal,
                ["next"] = new JsonArray([.. workflow.AllowedNext.Select(s => JsonValue.Create(s))]),
                ["history"] = history,
            };
        }

        private static bool TryGetDefinition(JsonElement body, out WorkflowDefinition? definition, out string? error)
        {
            definition = null;
            const string Shape = "The operation needs \"definition\": {\"name\": \"…\", \"states\": [\"…\", …], \"transitions\": [[\"from\", \"to\"], …]}, states in the order they rank.";
            if (!body.TryGetProperty("definition", out var element) || element.ValueKind != JsonValueKind.Object
                || !element.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !element.TryGetProperty("states", out var states) || states.ValueKind != JsonValueKind.Array
                || !element.TryGetProperty("transitions", out var transitions) || transitions.ValueKind != JsonValueKind.Array)
            {
                error = Shape;
                return false;
            }
            var stateNames = new List<string>();
            foreach (var state in states.EnumerateArray())
            {
                if (state.ValueKind != JsonValueKind.String)
                {
                    error = Shape;
                    return false;
                }
                stateNames.Add(state.GetString()!);
            }
            var moves = new List<(string, string)>();
            foreach (var move in transitions.EnumerateArray())
            {
                if (move.ValueKind != JsonValueKind.Array || move.GetArrayLength() != 2
                    || move[0].ValueKind != JsonValueKind.String || move[1].ValueKind != JsonValueKind.String)
                {
                    error = Shape;
                    return false;
                }
                moves.Add((move[0].GetString()!, move[1].GetString()!));
            }
            try
            {
                definition = new WorkflowDefinition(name.GetString()!, stateNames, moves);
            }
            catch (ArgumentException exception)
            {
                error = "The definition is not valid: " + exception.Message;
                return false;
            }
            error = null;
            return true;
        }
    }

    private sealed class BallotKind() : ObjectKind("ballot", NameOf<Ballot<string>>())
    {
        public override bool TryParse(JsonElement body, out ObjectMutation? mutation, out string? error)
        {
            if (!TryGetOp(body, out var op, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            if (op == "vote")
            {
                if (!TryGetString(body, "option", out var option, out error))
                {
                    return Refuse(error, out mutation, out error);
                }
                return Accept((tx, key, c) => tx.Update<Ballot<string>>(key, b => Ruled(() => b.IsOpen
                    ? b.Vote(c.Replica, option)
                    : throw new InvalidOperationException($"Ballot '{key}' is not open: open it first."))), out mutation, out error);
            }
            if (op != "open")
            {
                return Unknown(op, "open or vote", out mutation, out error);
            }
            if (!body.TryGetProperty("voters", out var votersElement) || votersElement.ValueKind != JsonValueKind.Array || votersElement.GetArrayLength() == 0)
            {
                return Refuse("The operation needs \"voters\", a non-empty array of replica ids (16 hex digits, as /v1/status shows them).", out mutation, out error);
            }
            var voters = new List<ReplicaId>();
            foreach (var voter in votersElement.EnumerateArray())
            {
                if (voter.ValueKind != JsonValueKind.String || !ReplicaId.TryParse(voter.GetString(), null, out var id))
                {
                    return Refuse("Every voter must be a replica id: 16 hex digits, as /v1/status shows them.", out mutation, out error);
                }
                voters.Add(id);
            }
            if (!TryGetRule(body, out var rule, out error))
            {
                return Refuse(error, out mutation, out error);
            }
            try
            {
                _ = new Ballot<string>(voters, rule);
            }
            catch (ArgumentException exception)
            {
                return Refuse("The ballot's terms are not valid: " + exception.Message, out mutation, out error);
            }
            return Accept((tx, key, c) => tx.Update<Ballot<string>>(key, b => Ruled(() => b.Open(voters, rule))), out mutation, out error);
        }

        /// <summary>The rule, the votes by voter, and the decision (undecided, decided with its option, or impossible).</summary>
        public override JsonNode? Render(object state)
        {
            var ballot = (Ballot<string>)state;
            if (!ballot.IsOpen)
            {
                return null;
            }
            var votes = new JsonObject();
            foreach (var (voter, option) in ballot.Votes.OrderBy(v => v.Key))
            {
                votes[voter.ToString()] = option;
            }
            var decision = ballot.Decision;
            return new JsonObject
            {
                ["rule"] = ballot.Rule!.Value.ToString(),
                ["voters"] = new JsonArray([.. ballot.Electorate.Select(e => JsonValue.Create(e.Key.ToString()))]),
                ["votes"] = votes,
                ["decision"] = decision.Status.ToString().ToLowerInvariant(),
                ["option"] = decision.IsDecided ? decision.Option : null,
            };
        }

        private static bool TryGetRule(JsonElement body, out QuorumRule rule, out string? error)
        {
            rule = QuorumRule.Majority;
            error = null;
            if (!body.TryGetProperty("rule", out var element))
            {
                return true;
            }
            switch (element.ValueKind == JsonValueKind.String ? element.GetString() : null)
            {
                case "majority":
                    return true;
                case "unanimity":
                    rule = QuorumRule.Unanimity;
                    return true;
                case "k-of-n" when body.TryGetProperty("k", out var k) && k.ValueKind == JsonValueKind.Number && k.TryGetInt32(out var count) && count > 0:
                    rule = QuorumRule.KOfN(count);
                    return true;
                default:
                    error = "\"rule\" is \"majority\" (the default), \"unanimity\" or \"k-of-n\" with \"k\", a whole number from 1.";
                    return false;
            }
        }
    }
}
