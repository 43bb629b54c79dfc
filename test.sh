#!/usr/bin/env bash
# The test command of the README's quick start: builds everything (warnings are errors) and runs every test.
# JARVIS_PROPERTY_ITERATIONS=N runs N cases per law instead of the CI default.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build Jarvis.slnx -c Release
dotnet test Jarvis.slnx -c Release --no-build --logger "console;verbosity=normal" "$@"
