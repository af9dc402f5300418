#!/usr/bin/env bash
# serve-sigterm.sh MODEL_DIR: starts goe-serve on a free port, asks it one
# readiness question, sends SIGTERM and prints how it ended; a goe-serve
# still running 10 s after SIGTERM is killed and reported as hanging.
log=$(mktemp)
goe-serve "$1" --port 0 > "$log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  grep -q "model(s) on" "$log" && break
  sleep 0.05
done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$log")
python3 -c "import urllib.request as u; print('ready', u.urlopen('http://127.0.0.1:$port/v2/health/ready').status)"
kill -TERM "$pid"
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "goe-serve still running 10 s after SIGTERM"
  kill -KILL "$pid"
fi
wait "$pid"
echo "exit $?"
cat "$log"
rm -f "$log"
