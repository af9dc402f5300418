#!/usr/bin/env bash
# `make demo`: compile every example spec and print its routed paths.
# (A later stage makes this the end-to-end job: train, compile, run.)
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
compile="$build/bin/goe-compile"

for spec in examples/*/*.yaml; do
  echo "== $spec"
  "$compile" "$spec" --emit=mlir -o /dev/null
  "$compile" "$spec" --emit=paths
  echo
done
echo "== rotated MNIST GoE, MACs per path for the seed's param factors (3920p^2 + 7096p)"
for p in 2 4 8 24; do
  printf 'p = %-3s' "$p"
  "$compile" examples/rotated_mnist/goe.yaml --emit=paths --var "p=$p" | grep -m1 "path 0"
done
