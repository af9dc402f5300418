#!/usr/bin/env bash
# Seed spread of the rotated-MNIST GoE at one p on the full split: for each
# seed, the GoE trained with each router given (default: the oracle and the
# cluster gate), compiled, run on the test split; prints one line per model
# and seed (accuracy, routing purity) and writes them as a CSV. Settings as
# scripts/experiment.sh: at most 50 epochs, patience 5, one thread.
#
# usage: scripts/router-seeds.sh [--p 8] [--seeds "0 1 2"] [--routers "oracle clusters"]
#                                [--bin DIR] [--data DIR] [--out DIR]
# Finished runs under --out (default build/experiments/router-seeds) are
# reused, so a stopped run resumes.
set -euo pipefail
cd "$(dirname "$0")/.."

p=8; seeds="0 1 2"; routers="oracle clusters"
bin=build/bin; data=data/mnist; out=build/experiments/router-seeds
die() { echo "router-seeds.sh: error: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --p|--seeds|--routers|--bin|--data|--out)
      [ $# -ge 2 ] || die "$1 wants a value"
      case "$1" in --p) p=$2 ;; --seeds) seeds=$2 ;; --routers) routers=$2 ;;
        --bin) bin=$2 ;; --data) data=$2 ;; --out) out=$2 ;; esac; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ "$p" =~ ^[1-9][0-9]*$ ]] || die "--p wants a positive integer, got '$p'"
for s in $seeds; do [[ "$s" =~ ^[0-9]+$ ]] || die "--seeds wants integers, got '$s'"; done
for tool in goe-train goe-compile goe-run; do
  [ -x "$bin/$tool" ] || die "$bin/$tool not found (build it, or give --bin DIR)"
done
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
spec=examples/rotated_mnist/goe.yaml
mkdir -p "$out"
test="$out/test"
if [ ! -f "$test/labels.npy" ]; then
  "$bin/goe-train" "$spec" --data "$data" --epochs 0 --export-split test \
    --export-dir "$test" > "$out/export.log"
fi
echo "router,seed,test_accuracy,routing_purity,chosen_epoch" > "$out/seeds.csv.tmp"
for router in $routers; do
  for seed in $seeds; do
    d="$out/p$p-$router-seed$seed"
    mkdir -p "$d"
    if [ ! -f "$d/weights.goew" ]; then
      "$bin/goe-train" "$spec" --data "$data" --var p="$p" --router "$router" \
        --seed "$seed" --epochs 50 --patience 5 --threads 1 \
        --out "$d/weights.tmp.goew" > "$d/train.log"
      mv "$d/weights.tmp.goew" "$d/weights.goew"
    fi
    "$bin/goe-compile" "$spec" --var p="$p" --router "$router" \
      --weights "$d/weights.goew" -o "$d/model.goe"
    accuracy=$("$bin/goe-run" "$d/model.goe" --input "image=$test/image.npy" \
      --input "group=$test/group.npy" --labels "$test/labels.npy" |
      sed -n 's/^accuracy: \([0-9.]*\).*/\1/p')
    purity=$(sed -n 's/^routing purity (test): \([0-9.]*\).*/\1/p' "$d/train.log")
    epoch=$(sed -n 's/^chosen: epoch \([0-9]*\).*/\1/p' "$d/train.log")
    echo "$router,$seed,$accuracy,${purity:-1},$epoch" | tee -a "$out/seeds.csv.tmp"
  done
done
mv "$out/seeds.csv.tmp" "$out/seeds.csv"
echo "wrote $out/seeds.csv"
