#!/usr/bin/env bash
# train-parallel.sh N SPEC.yaml [goe-train options...]
#
# Data-parallel goe-train on this machine: starts N processes (ranks 0 to
# N-1) with --world-size N --master 127.0.0.1:PORT on a free loopback port,
# waits for all, and exits with the first non-zero status of any rank (0
# when all succeed). Rank 0 prints and writes the files; the other ranks'
# output goes to stderr prefixed "[rank R]" only when they fail. SIGINT or
# SIGTERM to this script is passed on to every rank.
#
# The goe-train run is $GOE_TRAIN, else goe-train on the PATH, else the
# build's (build/bin). Each process computes on --threads threads (default
# 1): N x threads should not exceed the cores. For several machines, see
# docs/training.md ("Data-parallel training").
set -uo pipefail

if [ $# -lt 2 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: train-parallel.sh N SPEC.yaml [goe-train options...]" >&2
  exit 2
fi
n=$1
shift

train=${GOE_TRAIN:-}
if [ -z "$train" ]; then
  if command -v goe-train >/dev/null 2>&1; then
    train=goe-train
  else
    train="$(cd "$(dirname "$0")/.." && pwd)/build/bin/goe-train"
  fi
fi

# A port the kernel just handed out, released again for rank 0 to take.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || {
  echo "train-parallel.sh: cannot find a free port" >&2
  exit 1
}

# Each rank in its own process group: a Ctrl-C on the terminal reaches this
# script alone, which passes exactly one SIGINT to every rank (a second
# would stop them at once instead of after the current step).
set -m
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
pids=()
for ((r = 0; r < n; r++)); do
  if ((r == 0)); then
    "$train" "$@" --world-size "$n" --rank 0 --master "127.0.0.1:$port" &
  else
    "$train" "$@" --world-size "$n" --rank "$r" --master "127.0.0.1:$port" \
      > "$logs/$r.log" 2>&1 &
  fi
  pids+=($!)
done
forward() { kill -"$1" "${pids[@]}" 2>/dev/null; }
trap 'forward INT' INT
trap 'forward TERM' TERM

status=0
for ((r = 0; r < n; r++)); do
  # wait returns early (> 128) when a trapped signal arrives: wait again.
  while true; do
    wait "${pids[$r]}"
    code=$?
    kill -0 "${pids[$r]}" 2>/dev/null || break
  done
  if ((code != 0)); then
    if ((r > 0)); then
      sed "s/^/[rank $r] /" "$logs/$r.log" >&2
    fi
    ((status == 0)) && status=$code
  fi
done
exit "$status"
