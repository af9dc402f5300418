#!/usr/bin/env bash
# `make demo`: compile every example spec and print its routed paths, then
# compile the rotated-MNIST Graph of Experts to native code and run it.
# (The issue on training makes this the end-to-end job on real digits.)
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
bin="$build/bin"

for spec in examples/*/*.yaml; do
  echo "== $spec"
  "$bin/goe-compile" "$spec" --emit=paths
  echo
done

echo "== rotated MNIST GoE, MACs per path for the seed's param factors (3920p^2 + 7096p)"
for p in 2 4 8 24; do
  printf 'p = %-3s' "$p"
  "$bin/goe-compile" examples/rotated_mnist/goe.yaml --emit=paths --var "p=$p" | grep -m1 "path 0"
done
echo

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== compile rotated MNIST (p = 8, random weights) to native code, run 4096 random inputs"
"$bin/goe-compile" examples/rotated_mnist/goe.yaml --seed 1 -o "$work/mnist.goe"
ls -l "$work/mnist.goe" | awk '{print "artifact: " $5 " bytes"}'
"$bin/goe-run" "$work/mnist.goe" --random-input 4096 --seed 2
