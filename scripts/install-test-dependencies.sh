#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, from Debian packages. Idempotent and quiet when
# everything is already there; run as root (CI) or with sudo available.
#   faketime: libfaketime, which the real-process clock-skew tests preload into a node
#             (/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1).
set -euo pipefail
missing=()
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || missing+=(faketime)
[ ${#missing[@]} -eq 0 ] || "$(dirname "$0")/apt-install.sh" install-test-dependencies "${missing[@]}"
