#!/bin/sh
# MoE-YOLOv7-tiny at 320x320 on the CPU with random weights: a goe-run
# --profile at batch 1 and batch 8 (1 thread), the 1- vs 2-thread scaling,
# and the check that outputs are the same bytes at 1, 2, 3 and 8 threads.
# Writes bench/results/cpu-yolo-profile-<tag>.txt and
# bench/results/cpu-yolo-threads-<tag>.txt (tag: $1, default "before").
#
#   bench/yolo-profile.sh [TAG] [BUILD_DIR] [MODEL.goe]
# MODEL.goe: an already compiled `goe-compile ... --seed 1` of the spec, to
# skip the compile.
set -eu
tag=${1:-before}
build=${2:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
run="$build/bin/goe-run"
model=${3:-$work/yolo.goe}

[ -n "${3:-}" ] ||
  "$build/bin/goe-compile" "$root/examples/moe_yolov7_tiny/moe.yaml" --seed 1 -o "$model"

machine() {
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD)"
}

profile="$root/bench/results/cpu-yolo-profile-$tag.txt"
{
  echo "# goe-compile examples/moe_yolov7_tiny/moe.yaml --seed 1 -o yolo.goe"
  machine
  for batch in 1 8; do
    echo
    echo "## goe-run yolo.goe --random-input 16 --batch $batch --threads 1 --profile"
    "$run" "$model" --random-input 16 --batch "$batch" --threads 1 --profile
  done
} > "$profile"

threads="$root/bench/results/cpu-yolo-threads-$tag.txt"
{
  echo "# goe-compile examples/moe_yolov7_tiny/moe.yaml --seed 1 -o yolo.goe"
  machine
  echo
  echo "images/s by goe-run's timer (Session::run calls only), 32 random images:"
  for batch in 1 8; do
    for t in 1 2; do
      rate=$("$run" "$model" --random-input 32 --batch "$batch" --threads "$t" |
             sed -n 's/^time: .* s, \(.*\) images\/s$/\1/p')
      echo "  batch $batch, threads $t: $rate images/s"
    done
  done
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "bit-identical outputs (8 random images, batch 8 and batch 3):"
  for t in 1 2 3 8; do
    mkdir -p "$work/out$t" "$work/out$t.b3"
    "$run" "$model" --random-input 8 --threads "$t" --output-dir "$work/out$t" > /dev/null
    "$run" "$model" --random-input 8 --batch 3 --threads "$t" --output-dir "$work/out$t.b3" > /dev/null 2>&1
  done
  for t in 2 3 8; do
    for b in "" .b3; do
      for f in "$work/out1$b"/*.npy; do
        cmp "$f" "$work/out$t$b/$(basename "$f")"
      done
    done
    echo "  threads $t: every output file equals threads 1's, byte for byte"
  done
} > "$threads"
echo "wrote $profile and $threads"
