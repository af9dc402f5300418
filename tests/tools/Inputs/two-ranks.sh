#!/usr/bin/env bash
# two-ranks.sh DIR [--kill-after FILE | --stop-after FILE] ARGS0... -- ARGS1...
# two-ranks.sh DIR --alone ARGS0...
# Runs `goe-train ARGS0 --master 127.0.0.1:PORT` and `goe-train ARGS1
# --master 127.0.0.1:PORT` at once on a free loopback port (the ranks'
# flags are in the ARGS), each with its output in DIR/rankR.log. With
# --kill-after FILE, rank 1 is killed (SIGKILL) once FILE exists: a rank
# that dies in the middle of training; with --stop-after FILE it is stopped
# (SIGSTOP) instead, a rank stuck without closing its connections. With --alone, rank 0 runs with
# nobody to join it (its output's port shown as PORT). Prints "rank R:
# exit S" per rank and then each log, every line prefixed "rank R: ".
# Fails (exit 1) when a rank is still running after 120 s: the hang the
# data-parallel code must avoid.
dir=$1
shift
kill_after= signal=
if [ "$1" = --kill-after ] || [ "$1" = --stop-after ]; then
  signal=KILL
  [ "$1" = --stop-after ] && signal=STOP
  kill_after=$2
  shift 2
fi
if [ "$1" = --alone ]; then # rank 0 only, on a free port: nobody joins
  shift
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  timeout -s KILL 120 goe-train "$@" --master "127.0.0.1:$port" 2>&1 | sed "s/:$port/:PORT/g"
  echo "rank 0: exit ${PIPESTATUS[0]}"
  exit 0
fi
args0=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  args0+=("$1")
  shift
done
shift
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A rank still running after 120 s has hung: timeout kills it (exit 137).
timeout -s KILL 120 goe-train "${args0[@]}" --master "127.0.0.1:$port" > "$dir/rank0.log" 2>&1 &
pid0=$!
timeout -s KILL 120 goe-train "$@" --master "127.0.0.1:$port" > "$dir/rank1.log" 2>&1 &
pid1=$!
if [ -n "$kill_after" ]; then
  for _ in $(seq 1 1200); do
    [ -e "$kill_after" ] && break
    sleep 0.05
  done
  pkill -"$signal" -P "$pid1" # goe-train, the child of rank 1's timeout
fi
wait "$pid0"; status0=$?
[ "$signal" = STOP ] && pkill -KILL -P "$pid1" # stuck: rank 0 has given up
wait "$pid1"; status1=$?
echo "rank 0: exit $status0"
echo "rank 1: exit $status1"
sed 's/^/rank 0: /' "$dir/rank0.log"
sed 's/^/rank 1: /' "$dir/rank1.log"
if [ $status0 = 137 ] || { [ -z "$kill_after" ] && [ $status1 = 137 ]; }; then
  echo "a rank hung"
  exit 1
fi
exit 0
