#!/bin/sh
# The convolution microkernel alone on MoE-YOLOv7-tiny's layer shapes (one
# thread): extracts the C of passes/lib/KernelSupport.cpp and
# ConvMicrokernel.cpp (what goe-compile hands to cc), builds it with
# driver.c for this CPU and runs it. PEAK: one core's FMA peak in GMAC/s
# (goe-bench prints it) for the % column.
#
#   bench/conv-microkernel/run.sh [PEAK] [-march value, default native]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lib="$here/../../passes/lib"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
for f in KernelSupport ConvMicrokernel; do
  sed -n '/R"C(/,/)C"/p' "$lib/$f.cpp" | sed '1d;$d' > "$work/$f.c"
done
cc -O2 -march="${2:-native}" "$work/KernelSupport.c" "$work/ConvMicrokernel.c" \
  "$here/driver.c" -o "$work/conv" -lm
"$work/conv" "${1:-0}"
