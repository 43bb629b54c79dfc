using Jarvis.Crdt;

namespace Jarvis.Agents.Tasks;

/// <summary>How a run ended, as its task's log records it.</summary>
public enum RunOutcome
{
    /// <summary>No outcome recorded and no expiry: it holds a lease.</summary>
    Running = 0,

    /// <summary>It returned a result within its lease.</summary>
    Succeeded = 1,

    /// <summary>It returned an error.</summary>
    Failed = 2,

    /// <summary>It was stopped: another run of its attempt won, its task was cancelled or it lost its lease.</summary>
    Stopped = 3,

    /// <summary>Its lease was seen past by a node that took the next attempt, before any outcome of it was recorded.</summary>
    Expired = 4,

    /// <summary>It returned a result after it was seen expired: recorded, never the task's result.</summary>
    Late = 5,
}

/// <summary>One run of a task.</summary>
public sealed record RunView(RunId Id, int Attempt, string Agent, ulong LeaseUntil, RunOutcome Outcome, string? Text, ulong EndedAt, long ElapsedMs)
{
    /// <summary>The node that ran it.</summary>
    public ReplicaId Node => Id.Node;

    /// <summary>Unix milliseconds (HLC wall time) the run started.</summary>
    public ulong StartedAt => Id.Started.WallTime;

    /// <summary>The voter's weight in a weighted collective decision: its proficiency in whole percent (1–100).</summary>
    public int Weight { get; internal init; } = 1;

    /// <summary>Whether it counts as a duplicate: not the winner of its attempt, or a valid success that is not the task's result.</summary>
    public bool IsDuplicate { get; internal init; }
}

/// <summary>An exclusive claim of an attempt.</summary>
public sealed record ClaimView(RunId Id, int Attempt, string Agent, ulong LeaseUntil, bool Withdrawn);

/// <summary>
/// A task's state, derived as a pure function of its log: two replicas holding the same events hold the same view,
/// whatever order the events came in and whatever their clocks say. Time-dependent facts (a lease past, a deadline
/// gone) enter the log as events (<c>expire</c>, <c>deadline</c>) written by the node that notices them.
/// </summary>
public sealed class TaskView
{
    private TaskView(string id, TaskSpec spec, ReplicaId submittedBy, ulong submittedAt)
    {
        Id = id;
        Spec = spec;
        SubmittedBy = submittedBy;
        SubmittedAt = submittedAt;
    }

    /// <summary>The task id.</summary>
    public string Id { get; }

    /// <summary>The spec (of the first submission by HLC).</summary>
    public TaskSpec Spec { get; }

    /// <summary>The node that submitted it (its data's home, for locality).</summary>
    public ReplicaId SubmittedBy { get; }

    /// <summary>Unix milliseconds of the submission.</summary>
    public ulong SubmittedAt { get; }

    /// <summary>The state.</summary>
    public TaskState State { get; private set; }

    /// <summary>The result (Succeeded), or why it ended (Failed, Cancelled, TimedOut); null otherwise.</summary>
    public string? Result { get; private set; }

    /// <summary>The run whose result is the task's (Succeeded).</summary>
    public RunId? ResultRun { get; private set; }

    /// <summary>Every run, by start.</summary>
    public IReadOnlyList<RunView> Runs { get; private set; } = [];

    /// <summary>Exclusive claims, by time.</summary>
    public IReadOnlyList<ClaimView> Claims { get; private set; } = [];

    /// <summary>Attempts that ended without a result.</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>The attempt number the next claim takes.</summary>
    public int NextAttempt { get; private set; } = 1;

    /// <summary>Unix milliseconds before which no new attempt starts (the retry backoff).</summary>
    public ulong EligibleAt { get; private set; }

    /// <summary>Runs counted as duplicates.</summary>
    public int Duplicates { get; private set; }

    /// <summary>Unix milliseconds the task reached its final state (0 if not final).</summary>
    public ulong EndedAt { get; private set; }

    /// <summary>For a collective decision: each voter's answer (agent → result), by agent.</summary>
    public IReadOnlyDictionary<string, string> Votes { get; private set; } = new Dictionary<string, string>();

    /// <summary>Runs holding a lease (no outcome yet).</summary>
    public IEnumerable<RunView> ActiveRuns => Runs.Where(r => r.Outcome == RunOutcome.Running);

    /// <summary>Claims neither withdrawn, expired, nor followed by their run.</summary>
    public IEnumerable<ClaimView> OpenClaims => Claims.Where(c => !c.Withdrawn);

    /// <summary>Folds a task's log. Null when the log holds no spec (events arrived before the submission).</summary>
    internal static TaskView? Fold(string id, IEnumerable<TaskEvent> log)
    {
        var events = log.OrderBy(e => e.Id).ToList();
        var submit = events.FirstOrDefault(e => e.Kind == EventKind.Submit && e.Spec is not null);
        if (submit is null)
        {
            return null;
        }
        var view = new TaskView(id, submit.Spec!, new ReplicaId(submit.Node), submit.Wall);
        view.Apply(events);
        return view;
    }

    private void Apply(List<TaskEvent> events)
    {
        var spec = Spec;
        var starts = new List<TaskEvent>();
        var claims = new List<TaskEvent>();
        var byRun = new Dictionary<string, List<TaskEvent>>(StringComparer.Ordinal);
        TaskEvent? cancel = null;
        TaskEvent? deadline = null;
        var maxAttempt = 0;
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case EventKind.Start:
                    starts.Add(e);
                    maxAttempt = Math.Max(maxAttempt, e.Attempt);
                    break;
                case EventKind.Claim:
                    claims.Add(e);
                    maxAttempt = Math.Max(maxAttempt, e.Attempt);
                    break;
                case EventKind.Cancel:
                    cancel ??= e;
                    break;
                case EventKind.Deadline:
                    deadline ??= e;
                    break;
                case EventKind.Renew or EventKind.Done or EventKind.Fail or EventKind.Stop or EventKind.Expire or EventKind.Yield when e.Run is not null:
                    (byRun.TryGetValue(e.Run, out var list) ? list : byRun[e.Run] = []).Add(e);
                    break;
            }
        }

        // Runs: the first outcome by HLC is the run's; an expiry counts only when no outcome came within the lease.
        var runs = new List<RunView>(starts.Count);
        foreach (var start in starts)
        {
            var id = start.Id;
            var lease = start.LeaseUntil;
            TaskEvent? outcome = null;
            TaskEvent? expiry = null;
            if (byRun.TryGetValue(id.ToString(), out var related))
            {
                foreach (var e in related)
                {
                    switch (e.Kind)
                    {
                        case EventKind.Renew:
                            lease = Math.Max(lease, e.LeaseUntil);
                            break;
                        case EventKind.Expire:
                            expiry ??= e;
                            break;
                        case EventKind.Done or EventKind.Fail or EventKind.Stop:
                            outcome ??= e;
                            break;
                    }
                }
            }
            // An outcome counts if it came before the run was seen expired (by HLC); a result after that is late:
            // recorded, never the task's result, however the run's own side renewed its lease meanwhile.
            var beforeExpiry = outcome is not null && (expiry is null || outcome.Id < expiry.Id);
            var (kind, text, endedAt) = outcome switch
            {
                { Kind: EventKind.Done } when beforeExpiry => (RunOutcome.Succeeded, outcome.Text, outcome.Wall),
                { Kind: EventKind.Done } => (RunOutcome.Late, outcome.Text, expiry!.Wall),
                { Kind: EventKind.Fail } when beforeExpiry => (RunOutcome.Failed, outcome.Text, outcome.Wall),
                { Kind: EventKind.Stop } when beforeExpiry => (RunOutcome.Stopped, outcome.Text, outcome.Wall),
                _ => expiry is not null ? (RunOutcome.Expired, "lease expired", expiry.Wall) : (RunOutcome.Running, null, 0UL),
            };
            runs.Add(new RunView(id, start.Attempt, start.Agent ?? "", lease, kind, text, endedAt, outcome?.ElapsedMs ?? 0) { Weight = Math.Clamp(start.Weight, 1, 100) });
        }

        Claims = [.. claims.Select(c =>
        {
            var withdrawn = byRun.TryGetValue(c.Id.ToString(), out var related) && related.Any(e => e.Kind is EventKind.Yield or EventKind.Expire);
            var followed = starts.Any(s => s.Node == c.Node && s.Attempt == c.Attempt && s.Agent == c.Agent);
            return new ClaimView(c.Id, c.Attempt, c.Agent ?? "", c.LeaseUntil, withdrawn || followed);
        })];

        var collective = spec.Collective;
        RunView? resultRun = null;
        var votes = new Dictionary<string, (string Answer, int Weight)>(StringComparer.Ordinal);
        string? decided = null;
        var undecidable = false;
        if (collective is null)
        {
            // The result: the valid success that completed first (by HLC wall time, then run id) — the one a user
            // is likeliest to have seen already; two sides of a partition that both completed agree on it at merge.
            resultRun = runs.Where(r => r.Outcome == RunOutcome.Succeeded).OrderBy(r => r.EndedAt).ThenBy(r => r.Id).FirstOrDefault();
        }
        else
        {
            foreach (var run in runs.Where(r => r.Outcome == RunOutcome.Succeeded).OrderBy(r => r.Id))
            {
                votes.TryAdd(run.Agent, (run.Text ?? "", run.Weight));
            }
            (decided, undecidable) = Decide(collective, votes);
        }

        // Duplicates: a run that is not its attempt's winner (the earliest start), or a valid success that is not the result.
        var winners = runs.GroupBy(r => r.Attempt).ToDictionary(g => g.Key, g => g.Min(r => r.Id));
        var marked = new List<RunView>(runs.Count);
        var duplicates = 0;
        foreach (var run in runs)
        {
            var duplicate = collective is null
                ? run.Id != winners[run.Attempt] || (run.Outcome == RunOutcome.Succeeded && resultRun is not null && run.Id != resultRun.Id)
                : runs.Any(o => o.Agent == run.Agent && o.Outcome == RunOutcome.Succeeded && o.Id < run.Id);
            duplicates += duplicate ? 1 : 0;
            marked.Add(duplicate ? run with { IsDuplicate = true } : run);
        }
        Runs = marked;
        Duplicates = duplicates;
        Votes = votes.ToDictionary(v => v.Key, v => v.Value.Answer, StringComparer.Ordinal);

        // Attempts that ended without a result: every run of the attempt ended, none with a valid success.
        var ended = runs.GroupBy(r => r.Attempt)
            .Where(g => g.All(r => r.Outcome != RunOutcome.Running) && g.All(r => r.Outcome != RunOutcome.Succeeded || collective is not null))
            .Select(g => (Attempt: g.Key, Runs: g.ToList()))
            .OrderBy(g => g.Attempt)
            .ToList();
        if (collective is not null)
        {
            // A voter's failure is one failed attempt among Voters × MaxAttempts.
            FailedAttempts = runs.Count(r => r.Outcome is RunOutcome.Failed or RunOutcome.Expired or RunOutcome.Late || r.Outcome == RunOutcome.Stopped && !r.IsDuplicate);
        }
        else
        {
            FailedAttempts = ended.Count;
        }
        NextAttempt = maxAttempt + 1;
        var lastEnd = ended.Count == 0 ? 0UL : ended[^1].Runs.Max(r => r.EndedAt);
        EligibleAt = lastEnd + (ulong)spec.Retry.BackoffAfter(FailedAttempts);
        var fatal = runs.Where(r => r.Outcome == RunOutcome.Failed && !r.IsDuplicate && IsFatal(byRun, r)).OrderBy(r => r.EndedAt).FirstOrDefault();
        var attemptsAllowed = collective is null ? spec.Retry.MaxAttempts : spec.Retry.MaxAttempts * collective.Voters;

        // A valid result wins over a cancel, whatever their times: a run that finished before its node saw the
        // cancel did the work, and a result never turns back into a cancellation (steps after it may have run).
        if (collective is null && resultRun is not null)
        {
            Finish(TaskState.Succeeded, resultRun.Text, resultRun.EndedAt);
            ResultRun = resultRun.Id;
        }
        else if (collective is not null && decided is not null)
        {
            Finish(TaskState.Succeeded, decided, runs.Where(r => r.Outcome == RunOutcome.Succeeded).Max(r => r.EndedAt));
        }
        else if (cancel is not null)
        {
            Finish(TaskState.Cancelled, cancel.Text ?? "cancelled", cancel.Wall);
        }
        else if (deadline is not null && starts.Count == 0)
        {
            Finish(TaskState.TimedOut, "deadline passed before the task started", deadline.Wall);
        }
        else if (fatal is not null)
        {
            Finish(TaskState.Failed, fatal.Text, fatal.EndedAt);
        }
        else if (undecidable)
        {
            Finish(TaskState.Failed, "the voters did not reach the quorum", runs.Max(r => r.EndedAt));
        }
        else if (FailedAttempts >= attemptsAllowed)
        {
            var last = collective is null ? ended[^1].Runs.OrderBy(r => r.Id).First() : runs.Where(r => r.Outcome != RunOutcome.Succeeded).OrderBy(r => r.EndedAt).Last();
            var timedOut = last.Outcome is RunOutcome.Expired or RunOutcome.Late || last.Text?.StartsWith(TimeoutPrefix, StringComparison.Ordinal) == true;
            Finish(timedOut ? TaskState.TimedOut : TaskState.Failed, last.Text ?? "failed", last.EndedAt);
        }
        else if (runs.Any(r => r.Outcome == RunOutcome.Running))
        {
            State = TaskState.Running;
        }
        else if (Claims.Any(c => !c.Withdrawn && c.Attempt == maxAttempt))
        {
            State = TaskState.Assigned;
        }
        else
        {
            State = TaskState.Pending;
        }
    }

    /// <summary>How a timeout's failure text starts (start-to-close), so the last attempt's timeout reads TimedOut.</summary>
    internal const string TimeoutPrefix = "timed out";

    private static bool IsFatal(Dictionary<string, List<TaskEvent>> byRun, RunView run)
        => byRun.TryGetValue(run.Id.ToString(), out var related) && related.Any(e => e.Kind == EventKind.Fail && !e.Retry);

    private void Finish(TaskState state, string? result, ulong at)
    {
        State = state;
        Result = result;
        EndedAt = at;
    }

    /// <summary>
    /// Tallies a collective decision: (the decided answer or null, whether no answer can reach the quorum any more).
    /// Majority, unanimity and k-of-n count voters; weighted waits for every voter and needs more than half of the
    /// answered weight (each voter's proficiency in whole percent, recorded with its answer).
    /// </summary>
    private static (string? Decided, bool Undecidable) Decide(CollectiveDecision collective, Dictionary<string, (string Answer, int Weight)> votes)
    {
        var tally = votes.Values.GroupBy(v => v.Answer, StringComparer.Ordinal)
            .Select(g => (Answer: g.Key, Count: g.Count(), Weight: g.Sum(v => (long)v.Weight)))
            .OrderByDescending(t => collective.Rule == CollectiveRule.Weighted ? t.Weight : t.Count)
            .ThenBy(t => t.Answer, StringComparer.Ordinal)
            .ToList();
        var missing = collective.Voters - votes.Count;
        if (collective.Rule == CollectiveRule.Weighted)
        {
            if (missing > 0)
            {
                return (null, false);
            }
            var total = tally.Sum(t => t.Weight);
            return tally.Count > 0 && tally[0].Weight * 2 > total ? (tally[0].Answer, false) : (null, true);
        }
        var needed = collective.Rule switch
        {
            CollectiveRule.Unanimity => collective.Voters,
            CollectiveRule.KOfN => collective.K,
            _ => collective.Voters / 2 + 1,
        };
        if (tally.Count > 0 && tally[0].Count >= needed)
        {
            return (tally[0].Answer, false);
        }
        var best = tally.Count == 0 ? 0 : tally[0].Count;
        return (null, best + missing < needed);
    }
}
