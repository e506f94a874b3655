#!/usr/bin/env bash
# Issue 12's "Ratio": emtihan's draft autosave against the floor endpoint (bench/floor_app.py,
# one upsert of the same body through a pool), both served by the same server with the
# same workers and threads (serve_wsgi in bench/_server.sh), measured interleaved by
# bench/ratio.py: CONCURRENCY students save back to back, SECONDS per phase, a,b,a,b...
#
#   bench/run_ratio.sh [ROUNDS] [SECONDS] [CONCURRENCY]     # default 3 20 32
#
# Environment: see bench/_server.sh (PGURL, BENCH_DB, WORKERS, THREADS, PORT, KEEPALIVE);
# FLOOR_PORT (default PORT + 1), WARMUP (uncounted seconds per phase, default 3), AUTH
# (token: the autosave with the sitting token, as the exam page sends it; session: without).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECONDS_PER_PHASE=${2:-20}
CONCURRENCY=${3:-32}
STUDENTS=$CONCURRENCY
BENCH_DB=${BENCH_DB:-emtihan_bench_ratio}
PORT=${PORT:-8131}
FLOOR_PORT=${FLOOR_PORT:-$((PORT + 1))}
source bench/_server.sh

"$PY" bench/floor_app.py create
FLOOR_POOL=$THREADS serve_wsgi "$FLOOR_PORT" floor_app:application &
FLOOR=$!
trap 'kill $SERVER $FLOOR 2>/dev/null; wait $SERVER $FLOOR 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -s -o /dev/null -X PUT "http://127.0.0.1:$FLOOR_PORT/floor/0/0" && break
  sleep 0.2
done

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); server: $(ps -o args= -p "$SERVER" | sed -E 's#[^ ]*/##g')"
flock /tmp/emtihan-bench.lock "$PY" bench/ratio.py --emtihan "$URL" \
  --floor "http://127.0.0.1:$FLOOR_PORT" --exam "$EXAM" --rounds "$ROUNDS" \
  --seconds "$SECONDS_PER_PHASE" --warmup "${WARMUP:-3}" --concurrency "$CONCURRENCY" \
  --emtihan-pid "$SERVER" --floor-pid "$FLOOR" --database "$BENCH_DB" --auth "${AUTH:-token}"
