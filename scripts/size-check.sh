#!/usr/bin/env bash
# Prints the release download size (wasm + js + css, each gzip -9, the sample data not counted)
# and fails when it is above the budgets of spec §7: what the page downloads before the first
# load of data (everything but the ingest worker's files, `sspr-worker*`), and the page and the
# worker together.
#
#   scripts/size-check.sh [DIST=dist] [PAGE_BUDGET_KB=450] [TOTAL_BUDGET_KB=750]   (1 KB = 1000 bytes)
set -euo pipefail
dist=${1:-dist}
page_budget_kb=${2:-450}
total_budget_kb=${3:-750}

shopt -s nullglob
files=("$dist"/*.wasm "$dist"/*.js "$dist"/*.css)
if [ "$(compgen -G "$dist/*.wasm" | wc -l)" -eq 0 ]; then
  echo "size: no .wasm in $dist — build first (trunk build --release)" >&2
  exit 1
fi

kb() { printf '%d.%d KB' $(($1 / 1000)) $((($1 % 1000) / 100)); }

page=0
worker=0
for file in "${files[@]}"; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  case "$(basename "$file")" in
    sspr-worker*) worker=$((worker + gz)) ;;
    *) page=$((page + gz)) ;;
  esac
  printf '  %-48s %9d B raw %9d B gzip\n' "$(basename "$file")" "$raw" "$gz"
done
total=$((page + worker))
printf 'release download size (wasm + js + css, gzip): page %d bytes = %s (budget %d KB); page and ingest worker %d bytes = %s (budget %d KB)\n' \
  "$page" "$(kb "$page")" "$page_budget_kb" "$total" "$(kb "$total")" "$total_budget_kb"
if [ "$worker" -eq 0 ]; then
  echo "FAIL: no ingest worker (sspr-worker*) in $dist" >&2
  exit 1
fi
if [ "$page" -gt $((page_budget_kb * 1000)) ]; then
  echo "FAIL: the page's download is above the ${page_budget_kb} KB budget" >&2
  exit 1
fi
if [ "$total" -gt $((total_budget_kb * 1000)) ]; then
  echo "FAIL: the page and the worker together are above the ${total_budget_kb} KB budget" >&2
  exit 1
fi
