#!/bin/sh
# The first N val images of a YOLO detection set as a set of their own
# (links to the images, copies of the labels, a data.yaml whose train and
# val are both those images), for goe-eval and goe-detect on a fixed subset.
# Does nothing if DIR/data.yaml exists.
#
#   scripts/val-subset.sh DATA N DIR
set -eu
[ $# -eq 3 ] || { echo "usage: val-subset.sh DATA N DIR" >&2; exit 2; }
DATA=$1 N=$2 DIR=$3
[ -f "$DIR/data.yaml" ] && exit 0
[ -f "$DATA/data.yaml" ] || { echo "val-subset.sh: no $DATA/data.yaml" >&2; exit 1; }
mkdir -p "$DIR/images/val" "$DIR/labels/val"
ls "$DATA/images/val" | sort | head -n "$N" | while read -r f; do
  ln -sf "$(cd "$DATA" && pwd)/images/val/$f" "$DIR/images/val/$f"
  cp "$DATA/labels/val/${f%.*}.txt" "$DIR/labels/val/"
done
printf 'train: images/val\nval: images/val\n' > "$DIR/data.yaml.tmp"
grep -E '^(nc|names):' "$DATA/data.yaml" >> "$DIR/data.yaml.tmp"
mv "$DIR/data.yaml.tmp" "$DIR/data.yaml"
