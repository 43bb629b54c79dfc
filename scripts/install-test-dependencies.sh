#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, from Debian packages. Idempotent and quiet when
# everything is already there; run as root (CI) or with sudo available.
#   faketime: libfaketime, which the real-process clock-skew tests preload into a node
#             (/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1).
set -euo pipefail
missing=()
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || missing+=(faketime)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "install-test-dependencies: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi
echo "install-test-dependencies: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
