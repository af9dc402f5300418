#!/bin/sh
# goe-bench SPEC on the issue's three models, one after the other, into
# bench/results/cpu-spec-bench.txt (machine, load and date at the top):
#   MoE-YOLOv7-tiny 320x320, network only (--combine weighted_sum), batch 1, 8
#   CelebA GoE (oracle, labels 0..7), batch 1, 8, 64
#   rotated-MNIST GoE p = 8 (oracle, labels 0..3), batch 1, 8, 64, 256
# each at 1 thread and all hardware threads. Run it on an idle machine.
#
#   bench/spec-bench.sh [BUILD_DIR]
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$build/bin/goe-bench"
out="$root/bench/results/cpu-spec-bench.txt"
{
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD)"
  echo
  echo "## goe-bench examples/moe_yolov7_tiny/moe.yaml --combine weighted_sum --batches 1,8"
  "$bench" "$root/examples/moe_yolov7_tiny/moe.yaml" --combine weighted_sum --batches 1,8
  echo
  echo "## goe-bench examples/celeba/goe.yaml --labels 8 --batches 1,8,64"
  "$bench" "$root/examples/celeba/goe.yaml" --labels 8 --batches 1,8,64
  echo
  echo "## goe-bench examples/rotated_mnist/goe.yaml --var p=8 --labels 4 --batches 1,8,64,256"
  "$bench" "$root/examples/rotated_mnist/goe.yaml" --var p=8 --labels 4 --batches 1,8,64,256
  echo
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out" 2>&1
echo "wrote $out"
