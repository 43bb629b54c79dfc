#!/usr/bin/env bash
# Installs what the side-by-side benchmarks need beyond the .NET SDK, from Debian packages. Idempotent and
# quiet when everything is already there; run as root or with sudo available. Not needed by the tests.
#   python3-scipy: SciPy's linear_sum_assignment, the peer of `bench assign` (for /usr/bin/python3).
set -euo pipefail
missing=()
/usr/bin/python3 -c 'import scipy.optimize' 2>/dev/null || missing+=(python3-scipy)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "install-bench-dependencies: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi
echo "install-bench-dependencies: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
