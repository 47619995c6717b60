#!/bin/sh
# Build the simavr harness. Usage: build.sh [OUT_DIR]  -> OUT_DIR/cd_harness (default build/sim)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../../build/sim}
CC=${CC:-gcc}
mkdir -p "$OUT"
"$CC" -O2 -Wall -Wextra -o "$OUT/cd_harness" "$HERE/cd_harness.c" \
  -I/usr/include/simavr -I/usr/include/simavr/parts -lsimavr -lutil -lpthread
