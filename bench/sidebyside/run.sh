#!/usr/bin/env bash
# Side-by-side editing-trace benchmark: yjs, loro-crdt, diamond-types-node, @automerge/automerge
# and Jarvis on the same trace(s), one table per trace.
#
#   bench/sidebyside/run.sh [options] [TRACE...]
#
# TRACE defaults to ../shared/data/editing-traces/automerge-paper.json.gz relative to the repo
# root (the data lives beside the repo and is never copied into it).
#
# Options:
#   --skip LIB[,LIB]   skip libraries (yjs, loro, dt, automerge, jarvis); repeatable.
#                      e.g. --skip automerge  (automerge, one change per edit, takes ~40 s)
#   --only LIB[,LIB]   run only these libraries
#   --json             print the raw JSON lines instead of the table
#   --out FILE         also keep the raw JSON lines in FILE
#   -h, --help         this text
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"

all_libs=(yjs loro dt automerge jarvis)
skip=()
only=()
json=0
out=""
traces=()

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip) IFS=',' read -r -a s <<<"$2"; skip+=("${s[@]}"); shift 2 ;;
    --skip=*) IFS=',' read -r -a s <<<"${1#--skip=}"; skip+=("${s[@]}"); shift ;;
    --only) IFS=',' read -r -a s <<<"$2"; only+=("${s[@]}"); shift 2 ;;
    --only=*) IFS=',' read -r -a s <<<"${1#--only=}"; only+=("${s[@]}"); shift ;;
    --json) json=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#--out=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; traces+=("$@"); break ;;
    -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) traces+=("$1"); shift ;;
  esac
done

normalize() {
  case "$1" in
    diamond-types|diamond-types-node) echo dt ;;
    loro-crdt) echo loro ;;
    @automerge/automerge|am) echo automerge ;;
    *) echo "$1" ;;
  esac
}
wanted() {
  local lib="$1" x
  if [[ ${#only[@]} -gt 0 ]]; then
    local hit=0
    for x in "${only[@]}"; do [[ "$(normalize "$x")" == "$lib" ]] && hit=1; done
    [[ $hit == 1 ]] || return 1
  fi
  for x in "${skip[@]+"${skip[@]}"}"; do [[ "$(normalize "$x")" == "$lib" ]] && return 1; done
  return 0
}

if [[ ${#traces[@]} -eq 0 ]]; then
  traces=("$repo_root/../shared/data/editing-traces/automerge-paper.json.gz")
fi
# Absolute paths: Jarvis runs from the repo root, the node scripts from wherever.
for i in "${!traces[@]}"; do
  t="${traces[$i]}"
  if [[ ! -f "$t" ]]; then echo "run.sh: trace not found: $t" >&2; exit 2; fi
  traces[$i]="$(cd "$(dirname "$t")" && pwd)/$(basename "$t")"
done

need_node=0
for lib in yjs loro dt automerge; do wanted "$lib" && need_node=1; done
if [[ $need_node == 1 && ! -d "$here/node_modules" ]]; then
  echo "run.sh: installing npm packages in bench/sidebyside ..." >&2
  if [[ -f "$here/package-lock.json" ]]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
  else
    (cd "$here" && npm install --no-audit --no-fund --loglevel=error >&2)
  fi
fi

results="$(mktemp "${TMPDIR:-/tmp}/sidebyside.XXXXXX.jsonl")"
logdir="$(mktemp -d "${TMPDIR:-/tmp}/sidebyside-logs.XXXXXX")"

# Run one command that should print JSON lines; keep only lines that parse as JSON objects.
emit_json_lines() { node -e '
  const lines = require("fs").readFileSync(0, "utf8").split("\n");
  for (const l of lines) { const t = l.trim(); if (!t.startsWith("{")) continue;
    try { JSON.parse(t); process.stdout.write(t + "\n"); } catch {} }'; }

for trace in "${traces[@]}"; do
  tname="$(basename "$trace")"
  for lib in yjs loro dt automerge; do
    wanted "$lib" || continue
    echo "run.sh: $lib on $tname ..." >&2
    log="$logdir/$lib-$tname.log"
    # A separate node process per library so JS heaps and wasm memories never mix.
    if ! node --expose-gc "$here/bench-lib.js" "$lib" "$trace" >"$log.out" 2>"$log"; then
      echo "run.sh: $lib failed (see $log)" >&2
    fi
    lines="$(emit_json_lines <"$log.out")"
    if [[ -n "$lines" ]]; then
      printf '%s\n' "$lines" >>"$results"
    else
      node -e 'process.stdout.write(JSON.stringify({lib:process.argv[1],trace:process.argv[2],error:"failed (no output; see "+process.argv[3]+")"})+"\n")' \
        "$lib" "$tname" "$log" >>"$results"
    fi
  done

  if wanted jarvis; then
    echo "run.sh: jarvis on $tname ..." >&2
    log="$logdir/jarvis-$tname.log"
    rc=0
    (cd "$repo_root" && dotnet run -c Release --project bench/Jarvis.Bench -- trace "$trace" --json --runs "${RUNS:-5}") \
      >"$log.out" 2>"$log" || rc=$?
    # Tag Jarvis's lines with lib and the trace's base name; never invent numbers.
    jl="$(emit_json_lines <"$log.out" | node -e '
      const path = require("path");
      const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
      for (const l of lines) { const o = JSON.parse(l);
        if (!("applyMs" in o)) continue;
        o.lib = "jarvis"; o.trace = path.basename(String(o.trace || process.argv[1]));
        process.stdout.write(JSON.stringify(o) + "\n"); }' "$tname")"
    if [[ $rc -eq 0 && -n "$jl" ]]; then
      printf '%s\n' "$jl" >>"$results"
    else
      echo "run.sh: jarvis failed (exit $rc; see $log and $log.out)" >&2
      first_err="$(grep -m1 -v '^[[:space:]]*$' "$log" 2>/dev/null | cut -c1-160 || true)"
      node -e 'process.stdout.write(JSON.stringify({lib:"jarvis",trace:process.argv[1],
          error:"failed (exit "+process.argv[2]+(process.argv[4]?": "+process.argv[4]:"")+"; see "+process.argv[3]+")"})+"\n")' \
        "$tname" "$rc" "$log" "$first_err" >>"$results"
    fi
  fi
done

if [[ -n "$out" ]]; then cp "$results" "$out"; fi
if [[ $json == 1 ]]; then
  node "$here/print.js" --json "$results"
else
  node "$here/print.js" "$results"
fi
echo "run.sh: raw results in $results, logs in $logdir" >&2
