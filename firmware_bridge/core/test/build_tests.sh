#!/bin/sh
# Build and run the host unit tests of the portable firmware core.
# Usage: build_tests.sh OUT_DIR [CC]   (prints the test output; exit status 1 on failure)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: build_tests.sh OUT_DIR [CC]}
CC=${2:-${CC:-cc}}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
"$PYTHON" "$HERE/gen_vectors.py" "$HERE/../../protocol/vectors.json" "$OUT/vectors.inc"
# -O0 for the test driver: ASan at -O1 takes ~40 s on its many compound literals
FLAGS="-std=c99 -g -Wall -Wextra -Werror -Wno-missing-field-initializers"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
"$CC" $FLAGS $SAN -O0 -I"$HERE/.." -I"$OUT" -c "$HERE/test_core.c" -o "$OUT/test_core.o"
"$CC" $FLAGS $SAN -O1 -I"$HERE/.." -o "$OUT/test_core" "$OUT/test_core.o" \
    "$HERE/../cd_proto.c" "$HERE/../cd_motor.c" "$HERE/../cd_sampler.c" "$HERE/../cd_button.c"
"$OUT/test_core"
