#!/usr/bin/env bash
# Install the Debian packages that build the Uno firmware and run it in simavr.
# Needs root (or sudo). Does nothing when everything is already installed.
set -euo pipefail
pkgs=(gcc-avr avr-libc arduino-core-avr libsimavr-dev simavr gcc make libelf-dev pkg-config)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
