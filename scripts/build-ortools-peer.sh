#!/usr/bin/env bash
# Builds the OR-Tools peer of `bench assign` (bench/peers/ortools, outside Jarvis.slnx so that Google.OrTools'
# ~440 MB of native packages stay out of the default build and CI) into bench/peers/ortools/bin/Release/net10.0/,
# where `dotnet run -c Release --project bench/Jarvis.Bench -- assign DIR` looks for it. Not needed by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/peers/ortools/OrToolsAssign.csproj -c Release -nologo -v quiet
echo "built bench/peers/ortools/bin/Release/net10.0/OrToolsAssign.dll"
