#!/bin/sh
# 2 threads against 1 for one compiled model, robust to a drifting clock: a
# VM's cores run faster alone than together, and its host's load moves the
# clock by a fifth within minutes, so a ratio of two runs minutes apart
# says little. This alternates 1 and 2 threads ROUNDS times at each batch
# (goe-run's timer: Session::run calls only, IMAGES random images) and
# prints every round's ratio and their median.
#
#   bench/thread-scaling.sh MODEL.goe [ROUNDS=5] [IMAGES=64] [BUILD_DIR=build]
set -eu
model=$1
rounds=${2:-5}
images=${3:-64}
run="${4:-build}/bin/goe-run"
rate() {
  "$run" "$model" --random-input "$images" --batch "$1" --threads "$2" |
    sed -n 's/^time: .* s, \(.*\) images\/s$/\1/p'
}
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
for batch in 1 8; do
  ratios=""
  for r in $(seq 1 "$rounds"); do
    one=$(rate "$batch" 1)
    two=$(rate "$batch" 2)
    ratio=$(echo "$two $one" | awk '{printf "%.2f", $1 / $2}')
    echo "batch $batch round $r: 1 thread $one, 2 threads $two images/s, ratio $ratio"
    ratios="$ratios $ratio"
  done
  echo "$ratios" | tr ' ' '\n' | sed '/^$/d' | sort -n |
    awk -v b="$batch" '{v[NR] = $1} END {printf "batch %s: median ratio %.2f (min %.2f, max %.2f) over %d rounds\n", b, v[int((NR + 1) / 2)], v[1], v[NR], NR}'
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
