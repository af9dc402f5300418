#!/usr/bin/env bash
# interrupt-train.sh SIGNAL DIR goe-train ARGS...: starts the training with
# --checkpoint DIR/ck.pt --out DIR/w.goew, sends SIGNAL once the first
# checkpoint exists (so the run is inside a later epoch), and prints the
# exit status and what DIR holds.
signal=$1 dir=$2
shift 2
"$@" --checkpoint "$dir/ck.pt" --out "$dir/w.goew" > "$dir/log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
  [ -s "$dir/ck.pt" ] && break
  sleep 0.05
done
kill -"$signal" "$pid"
wait "$pid"
echo "exit $?"
ls "$dir"
tail -1 "$dir/log"
