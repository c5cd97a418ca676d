#!/usr/bin/env bash
# `make fuzz`: coverage-guided fuzzing of the importers with AFL++ (cargo-afl, on the stable
# toolchain), one target after the other, each for a set time. Installs what is missing first
# (cargo-afl pinned, AFL++ built once), seeds each target from tests/fixtures and public/sample,
# and prints each run's figures from AFL++'s fuzzer_stats (FUZZING.md keeps them). Fails when a
# run found a crash or a hang, and says where the inputs are.
#
#   scripts/fuzz.sh [SECONDS=600] [TARGET...]      (targets: fuzz/src/bin/*.rs; default all)
#
# AFL++ uses one core per run; run it under the shared lock (`flock /tmp/sspr-cpu.lock make fuzz`).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_AFL_VERSION=0.18.2   # equal to fuzz/Cargo.toml's afl
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=()
  for file in fuzz/src/bin/*.rs; do targets+=("$(basename "$file" .rs)"); done
fi
work=target/fuzz
say() { printf '[fuzz] %s\n' "$*"; }

if [ "$(cargo afl --version 2>/dev/null | awk '{print $2}')" != "$CARGO_AFL_VERSION" ]; then
  say "installing cargo-afl $CARGO_AFL_VERSION (about a minute)"
  cargo install cargo-afl --version "$CARGO_AFL_VERSION" --locked
fi
rustc_version=$(rustc --version | awk '{print $2}')
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
if ! compgen -G "$data_home/afl.rs/rustc-$rustc_version-*/afl.rs-$CARGO_AFL_VERSION/afl-llvm/afl-compiler-rt.o" >/dev/null; then
  say "building AFL++ for rustc $rustc_version (once; about 2 minutes)"
  cargo afl config --build
fi

say "building the targets: ${targets[*]}"
cargo afl build --release --quiet --manifest-path fuzz/Cargo.toml --target-dir "$work"

# Seeds: the fixtures as they are, and the head of the bundled sample (its first records, still a
# whole Graph page; the app's CSV downloads of it for the CSV importer). AFL++ wants small seeds.
seeds=$work/seeds
rm -rf "$seeds"
mkdir -p "$seeds/import_json" "$seeds/import_csv" "$seeds/import_audit"
cp tests/fixtures/*.json tests/fixtures/*.ndjson "$seeds/import_json/"
cp tests/fixtures/*.csv "$seeds/import_csv/"
# The audit log's three shapes: Graph directoryAudits, the portal's CSV, Log Analytics.
cp tests/fixtures/graph_directory_audits.json tests/fixtures/portal_audit_log.csv \
  tests/fixtures/log_analytics_audit_logs.json tests/fixtures/log_analytics_audit_logs.csv "$seeds/import_audit/"
for file in public/sample/*.json; do
  { head -n 7 "$file" | sed '$ s/,$//'; printf ']}\n'; } >"$seeds/import_json/sample-$(basename "$file")"
done
sample_files=(public/sample/userRegistrationDetails.json public/sample/userEventsSummary.json)
for list in registrations activity; do
  cargo run --quiet --bin sspr-sample -- csv "$list" "" "${sample_files[@]}" >"$seeds/$list.csv"
  head -n 7 "$seeds/$list.csv" >"$seeds/import_csv/sample-$list.csv"
done

found=0
for target in "${targets[@]}"; do
  out=$work/out/$target
  rm -rf "$out"
  mkdir -p "$out"
  dict=fuzz/dict/${target#import_}.dict
  dict_args=()
  [ -f "$dict" ] && dict_args=(-x "$dict")
  say "$target: ${seconds}s from $(ls "$seeds/$target" | wc -l) seeds (log: $out/afl.log)"
  started=$(date -u +%FT%TZ)
  if ! AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
    cargo afl fuzz -i "$seeds/$target" -o "$out" "${dict_args[@]}" -t 1000 -V "$seconds" \
    "$work/release/$target" >"$out/afl.log" 2>&1; then
    tail -n 30 "$out/afl.log" >&2
    say "$target: AFL++ failed (see above)"
    exit 1
  fi
  stats=$out/default/fuzzer_stats
  stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(stat saved_crashes)
  hangs=$(stat saved_hangs)
  say "$target: started $started; run_time $(stat run_time) s; execs_done $(stat execs_done);" \
    "execs_per_sec $(stat execs_per_sec); bitmap_cvg $(stat bitmap_cvg); stability $(stat stability); edges_found $(stat edges_found)" \
    "of $(stat total_edges); corpus_count $(stat corpus_count); saved_crashes $crashes; saved_hangs $hangs"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    found=1
    say "$target: inputs in $out/default/crashes and $out/default/hangs; keep each in tests/fuzz_inputs/$target/ (tests/fuzz_found.rs, FUZZING.md)"
  fi
done
exit "$found"
