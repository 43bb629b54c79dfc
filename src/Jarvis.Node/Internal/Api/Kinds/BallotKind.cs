using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Crdt;

namespace Jarvis.Node.Internal.Api.Kinds;

/// <summary>
/// <c>ballot</c>: a vote among named replicas; <c>{"op":"open","voters":[…],"rule":"majority"|"unanimity"|"k-of-n","k":k}</c>
/// then <c>{"op":"vote","option":"…"}</c> (the node's replica votes). A second vote, a voter outside the electorate or
/// a vote on a ballot not yet open is a 409. A ballot cannot be deleted.
/// </summary>
internal sealed class BallotKind() : ObjectKind<Ballot<string>>("ballot")
{
    public override bool TryDelete(out ObjectMutation? mutation, out string? reason)
    {
        mutation = null;
        reason = "A ballot cannot be deleted: its terms and votes are final, held without dots, so there is nothing a node "
            + "could remove that a peer would not bring back. Open a new ballot under another key.";
        return false;
    }

    protected override bool TryParse(string op, OperationFields fields, out ObjectMutation? mutation, out string? error)
    {
        if (op == "vote")
        {
            if (!fields.TryGetString("option", out var option, out error))
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
        if (!fields.TryGet("voters", out var votersElement) || votersElement.ValueKind != JsonValueKind.Array || votersElement.GetArrayLength() == 0)
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
        if (!TryGetRule(fields, out var rule, out error))
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
        return Accept(Update((b, _) => Ruled(() => b.Open(voters, rule))), out mutation, out error);
    }

    protected override bool HasValue(Ballot<string> state) => state.IsOpen;

    /// <summary>The rule, the votes by voter, and the decision (undecided, decided with its option, or impossible).</summary>
    protected override JsonNode RenderValue(Ballot<string> state)
    {
        var votes = new JsonObject();
        foreach (var (voter, option) in state.Votes.OrderBy(v => v.Key))
        {
            votes[voter.ToString()] = option;
        }
        var decision = state.Decision;
        return new JsonObject
        {
            ["rule"] = state.Rule!.Value.ToString(),
            ["voters"] = new JsonArray([.. state.Electorate.Select(e => JsonValue.Create(e.Key.ToString()))]),
            ["votes"] = votes,
            ["decision"] = decision.Status.ToString().ToLowerInvariant(),
            ["option"] = decision.IsDecided ? decision.Option : null,
        };
    }

    private static bool TryGetRule(OperationFields fields, out QuorumRule rule, out string? error)
    {
        rule = QuorumRule.Majority;
        error = null;
        if (!fields.TryGet("rule", out var element))
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
            case "k-of-n" when fields.TryGet("k", out var k) && k.ValueKind == JsonValueKind.Number && k.TryGetInt32(out var count) && count > 0:
                rule = QuorumRule.KOfN(count);
                return true;
            default:
                error = "\"rule\" is \"majority\" (the default), \"unanimity\" or \"k-of-n\" with \"k\", a whole number from 1.";
                return false;
        }
    }
}
