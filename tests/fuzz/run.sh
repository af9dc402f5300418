#!/usr/bin/env bash
# Runs goe's fuzz targets (tests/fuzz/*Fuzz.cpp), each for SECONDS.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]     (default: all)
#
# BUILD_DIR is a GOE_FUZZ=ON build with target goe-fuzz built (make fuzz
# does both). Per target, under BUILD_DIR/fuzz/:
#   seeds/<target>/    the seed inputs, rebuilt each run from the examples,
#                      the test fixtures and tests/fuzz/seeds/;
#   corpus/<target>/   what the fuzzer found interesting (kept across runs);
#   crashes/<target>/  inputs that crashed it;  logs/<target>.log.
# FUZZ_PARALLEL=N runs N targets at a time (default 1). Exits non-zero when
# any target crashed, leaked, hung (-timeout) or ran out of memory; the
# message says how to reproduce it and how to keep it as a regression.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
seconds=$2
shift 2
parallel=${FUZZ_PARALLEL:-1}
work=$build/fuzz
bin=$build/bin

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$bin"/goe-fuzz-*; do
    name=${f##*/goe-fuzz-}
    case $name in seeds|replay-*) continue ;; esac
    targets+=("$name")
  done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no goe-fuzz-* binaries in $bin" >&2; exit 2; }

shopt -s nullglob

# --- seeds -----------------------------------------------------------------
seeds=$work/seeds
for t in "${targets[@]}"; do rm -rf "${seeds:?}/$t"; mkdir -p "$seeds/$t"; done
copy() { # copy TARGET FILE... (flattened names, so no two collide)
  local t=$1; shift
  [ -d "$seeds/$t" ] || return 0
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$seeds/$t/$(echo "${f#$src/}" | tr / _)"
  done
  return 0
}
fixtures=$build/tests/fuzz/fixtures
copy spec "$src"/examples/*/*.yaml "$src"/tests/spec-errors/*.yaml \
  "$src"/tests/tools/Inputs/*.yaml
# Stress inputs that are slow or huge by design (a 32767-path tree: seconds
# even without sanitizers; a 200 KB expression) would only slow every
# mutation of them down, or trip -timeout.
rm -f "$seeds"/spec/*tree-depth16-paths.yaml "$seeds"/spec/*expr-deep-unary-minus.yaml
copy artifact "$fixtures"/*.goe
copy data-yaml "$src"/tests/tools/Inputs/detect/names.yaml
copy coco-instances "$src"/tests/tools/Inputs/coco/gt.json
for t in "${targets[@]}"; do
  [ -d "$src/tests/fuzz/seeds/$t" ] && copy "$t" "$src/tests/fuzz/seeds/$t"/*
done
if [ -d "$seeds/coco-eval" ]; then
  { cat "$src/tests/tools/Inputs/coco/gt.json"; printf '\n%%%%\n';
    cat "$src/tests/tools/Inputs/coco/dt.json"; } > "$seeds/coco-eval/gt-dt.txt"
fi
# Binary seeds (weights files, .npy, IDX) from the runtime's own writers.
ASAN_OPTIONS=detect_leaks=0 "$bin/goe-fuzz-seeds" "$work/generated" "$fixtures"/*.goe
copy weights "$work"/generated/weights/*
copy npy "$work"/generated/npy/*
copy idx "$work"/generated/idx/*

# --- runs ------------------------------------------------------------------
# Sanitizer reports abort with a stack; leaks are reported (LSan) as bugs.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local t=$1
  local corpus=$work/corpus/$t crashes=$work/crashes/$t/ log=$work/logs/$t.log
  mkdir -p "$corpus" "$crashes" "$work/logs"
  local dict=()
  [ -f "$src/tests/fuzz/$t.dict" ] && dict=(-dict="$src/tests/fuzz/$t.dict")
  # -timeout: one input may take 10 s at most (a hang is a bug);
  # -rss_limit_mb: a run may not grow past 2 GiB (unbounded memory is one).
  if "$bin/goe-fuzz-$t" "$corpus" "$seeds/$t" "${dict[@]}" \
       -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$crashes" -print_final_stats=1 >"$log" 2>&1; then
    echo ok >"$work/logs/$t.status"
  else
    echo FAILED >"$work/logs/$t.status"
  fi
}

echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $parallel at a time (logs: $work/logs)"
running=0
for t in "${targets[@]}"; do
  [ -x "$bin/goe-fuzz-$t" ] || { echo "fuzz: no target '$t' in $bin" >&2; exit 2; }
  rm -f "$work/logs/$t.status"
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=0
printf '%-16s %-7s %12s %8s %8s\n' target result executions exec/s corpus
for t in "${targets[@]}"; do
  log=$work/logs/$t.log
  status=$(cat "$work/logs/$t.status" 2>/dev/null || echo FAILED)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  printf '%-16s %-7s %12s %8s %8s\n' "$t" "$status" "${runs:-?}" "${speed:-?}" \
    "$(find "$work/corpus/$t" -type f | wc -l)"
  if [ "$status" != ok ]; then
    failed=1
    grep -E '^==[0-9]+==ERROR|runtime error|^SUMMARY|ALARM|out-of-memory|deadly signal' "$log" |
      head -5 | sed 's/^/    /'
    for c in "$work/crashes/$t"/*; do
      [ -f "$c" ] || continue
      echo "    input: $c"
      echo "    reproduce: $bin/goe-fuzz-$t $c"
      echo "    keep it: cp $c $src/tests/fuzz/regressions/$t/ (after the fix)"
    done
  fi
done
exit $failed
