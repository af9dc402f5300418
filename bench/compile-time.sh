#!/bin/sh
# Compile time, memory and artifact size of every example spec, for two
# builds of goe-compile side by side (random weights, --seed 1), then the
# two MoE-YOLOv7-tiny artifacts run alternately: the compiled kernels'
# time by goe-run --profile (16 random images, 1 thread, batch 1 and 8,
# three rounds) and whether both give the same output bytes. Writes
# bench/results/compile-time.txt.
#
#   bench/compile-time.sh BEFORE_BIN AFTER_BIN
# e.g. BEFORE_BIN a copy of build/bin from before a change, AFTER_BIN build/bin.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 BEFORE_BIN AFTER_BIN" >&2; exit 2; }
before=$1 after=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
out="$root/bench/results/compile-time.txt"

{
  echo "# bench/compile-time.sh $before $after"
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD)"
  echo
  echo "goe-compile SPEC --seed 1 -o M.goe (wall s, CPU s, peak RSS MB, artifact bytes)"
  printf '%-34s %-7s %8s %8s %8s %12s\n' spec build wall cpu rss_mb bytes
  for spec in "$root"/examples/*/*.yaml; do
    name=${spec#"$root"/examples/}
    for side in before after; do
      eval bin=\$$side
      model="$work/$(echo "$name" | tr / _).$side.goe"
      /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
        "$bin/goe-compile" "$spec" --seed 1 -o "$model" 2> "$work/err" ||
        { echo "$name ($side): goe-compile failed:"; cat "$work/err"; continue; }
      awk -v name="$name" -v side="$side" -v bytes="$(stat -c %s "$model")" \
        '{ printf "%-34s %-7s %8.1f %8.1f %8.0f %12d\n", name, side, $1, $2 + $3, $4 / 1024, bytes }' \
        "$work/time"
    done
  done
  yolo="$work/moe_yolov7_tiny_moe.yaml"
  echo
  echo "MoE-YOLOv7-tiny kernels, goe-run --random-input 16 --threads 1 --profile:"
  echo "seconds in compiled functions (feats + the two experts routed to), alternating"
  for batch in 1 8; do
    for round in 1 2 3; do
      for side in before after; do
        seconds=$("$after/goe-run" "$yolo.$side.goe" --random-input 16 \
          --batch "$batch" --threads 1 --profile 2>&1 |
          sed -n '/^kernels (compiled/,/^$/p' |
          awk '$1 ~ /^[0-9.]+$/ { s += $1 } END { printf "%.3f", s }')
        echo "  batch $batch, round $round, $side: $seconds s"
      done
    done
  done
  for side in before after; do
    "$after/goe-run" "$yolo.$side.goe" --random-input 8 --batch 8 \
      --output "$work/$side.npy" > /dev/null
  done
  if cmp -s "$work/before.npy" "$work/after.npy"; then
    echo "outputs (8 random images): the same bytes"
  else
    echo "outputs (8 random images): DIFFER"
  fi
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"
