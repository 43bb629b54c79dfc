#!/usr/bin/env bash
# Installs what the side-by-side benchmarks need beyond the .NET SDK, from Debian packages. Idempotent and
# quiet when everything is already there; run as root or with sudo available. Not needed by the tests.
#   python3-scipy: SciPy's linear_sum_assignment, the peer of `bench assign` (for /usr/bin/python3).
set -euo pipefail
missing=()
/usr/bin/python3 -c 'import scipy.optimize' 2>/dev/null || missing+=(python3-scipy)
[ ${#missing[@]} -eq 0 ] || "$(dirname "$0")/apt-install.sh" install-bench-dependencies "${missing[@]}"
