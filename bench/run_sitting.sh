#!/usr/bin/env bash
# The exam-sitting load benchmark, end to end, on this machine:
# a fresh PostgreSQL database, the server of bench/_server.sh serving emtihan, and
# bench/load_sitting.py simulating N students (start, autosave every 10 s, heartbeat every 30 s, sends).
#
#   bench/run_sitting.sh [STUDENTS] [DURATION_S] [RAMP_S]
#   e.g. bench/run_sitting.sh 1000 120 60
#
# Environment: see bench/_server.sh (PGURL, WORKERS, THREADS, PORT, KEEPALIVE,
# ACCESS_LOG); PROCESSES: the load generator's processes (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${1:-1000}
DURATION=${2:-120}
RAMP=${3:-60}
source bench/_server.sh

echo "== $STUDENTS students (generator: ${PROCESSES:-1} process(es)), ramp ${RAMP}s, then ${DURATION}s; $SERVER_KIND $WORKERS x $THREADS threads, keep-alive ${KEEPALIVE}s; $(nproc) cores"
"$PY" bench/load_sitting.py run --url "$URL" --exam "$EXAM" --students "$STUDENTS" \
  --duration "$DURATION" --ramp "$RAMP" --server-pid "$SERVER" --processes "${PROCESSES:-1}"
