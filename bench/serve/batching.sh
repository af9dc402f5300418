#!/usr/bin/env bash
# bench/serve/batching.sh BUILD_DIR: goe-serve batch-1 against batched
# serving of bench/serve/wide-mlp.yaml (random weights) over loopback, with
# goe-serve-load's 16 closed-loop clients, binary tensors and JSON; two rounds
# of each setting, interleaved. Results: bench/results/serve-batching.txt.
set -euo pipefail
bin=$1/bin
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/models"
"$bin/goe-compile" "$here/wide-mlp.yaml" --seed 1 -o "$dir/models/wide.goe"
port=18222
run() {
  local label=$1; shift
  "$bin/goe-serve" "$dir/models" --port $port "$@" > "$dir/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -sf localhost:$port/v2/health/ready > /dev/null && break; sleep 0.1; done
  echo "## $label: goe-serve $*   (load average before: $(cut -d' ' -f1 /proc/loadavg))"
  "$bin/goe-serve-load" --port $port --model wide --clients 16 --requests 50 --binary > /dev/null
  "$bin/goe-serve-load" --port $port --model wide --clients 16 --requests 300 --binary
  "$bin/goe-serve-load" --port $port --model wide --clients 16 --requests 300
  curl -s localhost:$port/metrics | grep -E "^goe_batch_size_(sum|count)"
  kill -TERM $pid
  wait $pid
}
for round in 1 2; do
  run "batch 1 (round $round)" --max-batch 1
  run "batch 32, no wait (round $round)" --max-batch 32 --max-delay-us 0
  run "batch 32, 1 ms wait (round $round)" --max-batch 32 --max-delay-us 1000
done
