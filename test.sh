#!/usr/bin/env bash
# The test command of the README's quick start: builds everything (warnings are errors) and runs every test.
# JARVIS_PROPERTY_ITERATIONS=N runs N generated histories per law instead of 150.
set -euo pipefail
cd "$(dirname "$0")"
# What the tests need beyond the SDK (libfaketime for the clock-skew tests); quiet when already there.
scripts/install-test-dependencies.sh
dotnet build Jarvis.slnx -c Release
log=$(mktemp)
status=0
dotnet test Jarvis.slnx -c Release --no-build --logger "console;verbosity=normal" "$@" | tee "$log" || status=$?
# One plain closing line for CI: "N passed, N failed".
passed=$({ grep -Eo 'Passed: +[0-9]+' "$log" || true; } | awk '{ n += $2 } END { print n + 0 }')
failed=$({ grep -Eo 'Failed: +[0-9]+' "$log" || true; } | awk '{ n += $2 } END { print n + 0 }')
# Name the failures again at the end, where a truncated CI log still shows them.
{ grep -E '^\s+Failed [A-Za-z_]' "$log" || true; } | sed 's/^ */FAILED: /'
# And why each failed (message and the top of its stack, as the console logger printed them after "Failed …").
awk '/^  (Passed|Skipped) |^Test Run / { n = 0 } /^  Failed [A-Za-z_]/ { n = 40; print "--- " $2; next } n > 0 { print; n-- }' "$log" | head -n 400
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
