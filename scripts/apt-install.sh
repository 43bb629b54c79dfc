#!/usr/bin/env bash
# Installs Debian packages for the project's scripts: apt-install.sh WHO PACKAGE... (WHO names the caller in
# messages). Uses sudo when not root; quiet apart from one line saying what it installs.
set -euo pipefail
who=$1; shift
[ $# -gt 0 ] || exit 0
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "$who: need root (or sudo) to install: $*" >&2
        exit 1
    fi
    sudo=(sudo)
fi
echo "$who: installing $*"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
