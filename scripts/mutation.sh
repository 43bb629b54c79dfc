#!/usr/bin/env bash
# Mutation testing with dotnet-stryker (the local tool of .config/dotnet-tools.json) on one named set of
# source files, against the test project of their assembly. docs/testing.md says how to read the result.
#   scripts/mutation.sh crdt                 # the core CRDT files against test/Jarvis.Crdt.Tests
#   scripts/mutation.sh replication          # the write path and the φ-accrual detector against
#                                            # test/Jarvis.Replication.Tests
#   scripts/mutation.sh crdt --concurrency 2 # any further option goes to stryker as is
# Stryker writes into StrykerOutput/<set>-<time>/ (git-ignored); this script then prints one line per
# mutated file and the set's total. Score = (killed + timed out) / (killed + timed out + survived + no
# coverage); mutants a `// Stryker disable` comment excludes are counted apart as "ignored".
set -euo pipefail

# The sets: globs relative to the source project, edited here and nowhere else.
crdt_mutate=(
    '**/CausalContext.cs'
    '**/Counters/GCounter.cs'
    '**/Counters/PNCounter.cs'
    '**/DotStores/DotSet.cs'
    '**/Sets/ORSet.cs'
    # The counters' per-replica arithmetic, `checked` included, lives here.
    '**/Internal/ReplicaCounts.cs'
    '**/Internal/ReplicaSearch.cs'
)
# The tests each set runs against (a vstest filter; empty: the whole test project). The crdt set runs the
# tests of its own types and of the causal types built on them: the whole Jarvis.Crdt.Tests (sequence
# simulations, every type's laws) takes minutes per surviving mutant on two cores, so its score is a
# lower bound of what the full project would kill.
crdt_tests='FullyQualifiedName~CausalContext|FullyQualifiedName~DotSet|FullyQualifiedName~.GCounter|FullyQualifiedName~.PNCounter|FullyQualifiedName~.ORSet|FullyQualifiedName~.EWFlag|FullyQualifiedName~VersionVector|FullyQualifiedName~Semantics.EncodingTests.'
replication_tests=''
replication_mutate=(
    '**/ReplicaCore.Writes.cs'
    '**/Engine/PendingWrites.cs'
    '**/Engine/DurabilityLog.cs'
    '**/Membership/PhiAccrualDetector.cs'
)

usage() { echo "usage: $0 crdt|replication [stryker options]" >&2; exit 2; }
[ $# -ge 1 ] || usage
set_name=$1; shift
case "$set_name" in
    crdt)        project=Jarvis.Crdt;        mutate=("${crdt_mutate[@]}");        filter=$crdt_tests ;;
    replication) project=Jarvis.Replication; mutate=("${replication_mutate[@]}"); filter=$replication_tests ;;
    *) usage ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
tests="$root/test/$project.Tests"
out="$root/StrykerOutput/$set_name-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

# perTest coverage runs each mutant only against the tests that reach it, which keeps a set affordable
# on two cores; one test process at a time unless the caller passes --concurrency.
jq -n --arg project "$project.csproj" --arg tests "$tests/$project.Tests.csproj" --arg filter "$filter" \
    --args '{ "stryker-config": ({
        "project": $project,
        "test-projects": [ $tests ],
        "configuration": "Release",
        "mutate": $ARGS.positional,
        "coverage-analysis": "perTest",
        "concurrency": 1,
        "reporters": [ "progress", "html", "json" ],
        "thresholds": { "high": 90, "low": 80, "break": 0 }
    } | if $filter != "" then .["test-case-filter"] = $filter else . end) }' "${mutate[@]}" > "$out/stryker-config.json"

# Every mutant re-runs the tests that reach it, so the law kit runs fewer generated cases per law than in
# the suite (150); a survivor that more cases would kill is found by raising this.
export JARVIS_PROPERTY_ITERATIONS=${JARVIS_PROPERTY_ITERATIONS:-25}

cd "$root"
dotnet tool restore >/dev/null
(cd "$tests" && dotnet stryker --config-file "$out/stryker-config.json" --output "$out" --skip-version-check "$@")

report="$out/reports/mutation-report.json"
[ -f "$report" ] || { echo "mutation: no report at $report" >&2; exit 1; }
echo
echo "mutation score, set '$set_name' ($(git -C "$root" rev-parse --short HEAD), $(date -u +%Y-%m-%d), JARVIS_PROPERTY_ITERATIONS=$JARVIS_PROPERTY_ITERATIONS):"
jq -r '
  def tally: reduce .[] as $m ({}; .[$m.status] += 1);
  def line($name; $t):
    (($t.Killed // 0) + ($t.Timeout // 0)) as $k
    | ($k + ($t.Survived // 0) + ($t.NoCoverage // 0)) as $n
    | "\($name)  \(if $n == 0 then "n/a" else "\(($k * 1000 / $n | round) / 10) %" end)"
      + "  killed \($t.Killed // 0), timeout \($t.Timeout // 0), survived \($t.Survived // 0),"
      + " no coverage \($t.NoCoverage // 0), ignored \($t.Ignored // 0), compile error \($t.CompileError // 0)";
  (.files | to_entries | sort_by(.key)[] | line(.key | sub(".*/src/"; "src/"); .value.mutants | tally)),
  line("total"; [.files[].mutants[]] | tally)
' "$report" | tee "$out/summary.txt"
echo "report: $out/reports/mutation-report.html"
