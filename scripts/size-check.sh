#!/usr/bin/env bash
# Prints the release download size (wasm + js + css, each gzip -9, the sample data not counted)
# and fails when it is above the budget of spec §7.
#
#   scripts/size-check.sh [DIST=dist] [BUDGET_KB=450]      (1 KB = 1000 bytes)
set -euo pipefail
dist=${1:-dist}
budget_kb=${2:-450}

shopt -s nullglob
files=("$dist"/*.wasm "$dist"/*.js "$dist"/*.css)
if [ "$(compgen -G "$dist/*.wasm" | wc -l)" -eq 0 ]; then
  echo "size: no .wasm in $dist — build first (trunk build --release)" >&2
  exit 1
fi

total=0
for file in "${files[@]}"; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  total=$((total + gz))
  printf '  %-48s %9d B raw %9d B gzip\n' "$(basename "$file")" "$raw" "$gz"
done
printf 'release download size (wasm + js + css, gzip): %d bytes = %d.%d KB (budget %d KB)\n' \
  "$total" $((total / 1000)) $(((total % 1000) / 100)) "$budget_kb"
if [ "$total" -gt $((budget_kb * 1000)) ]; then
  echo "FAIL: the release download is above the ${budget_kb} KB budget" >&2
  exit 1
fi
