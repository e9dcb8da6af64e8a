#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing: Chromium for the
# browser tests, a CJK font so Japanese pages render (and screenshots are readable), gettext to
# compile the message catalogues, wrk for the HTTP benchmarks (bench/). Idempotent and quiet when
# everything is already there.
set -euo pipefail

PACKAGES=(chromium fonts-noto-cjk gettext wrk)

missing=()
for package in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    if [ "$status" != "installed" ]; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: missing ${missing[*]} and apt-get is not available" >&2
    exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "system-deps: missing ${missing[*]}; run this script as root to install them" >&2
        exit 1
    fi
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system-deps: installed ${missing[*]}"
