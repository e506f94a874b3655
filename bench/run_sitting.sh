#!/usr/bin/env bash
# The exam-sitting load benchmark, end to end, on this machine:
# a fresh PostgreSQL database, gunicorn serving emtihan, and bench/load_sitting.py
# simulating N students (start, autosave every 10 s, heartbeat every 30 s, sends).
#
#   bench/run_sitting.sh [STUDENTS] [DURATION_S] [RAMP_S]
#   e.g. bench/run_sitting.sh 1000 120 60
#
# Environment: PGURL (default postgres://postgres@127.0.0.1:5432), WORKERS (gunicorn
# processes, default 3), THREADS (per process, default 8), PORT (default 8077).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${1:-1000}
DURATION=${2:-120}
RAMP=${3:-60}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
WORKERS=${WORKERS:-3}
THREADS=${THREADS:-8}
PORT=${PORT:-8077}
PY=${PY:-.venv/bin/python}
export DATABASE_URL="$PGURL/emtihan_bench" DJANGO_SETTINGS_MODULE=emtihan.settings
export ALLOWED_HOSTS=127.0.0.1,localhost DB_CONN_MAX_AGE=600 LOG_LEVEL=WARNING

psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS emtihan_bench" -c "CREATE DATABASE emtihan_bench" >/dev/null
"$PY" manage.py migrate -v 0
"$PY" bench/load_sitting.py setup --students "$STUDENTS" | tee /tmp/emtihan-bench-setup.txt
EXAM=$(grep -o 'exam [0-9]*' /tmp/emtihan-bench-setup.txt | head -1 | cut -d' ' -f2)

.venv/bin/gunicorn emtihan.wsgi -b "127.0.0.1:$PORT" -w "$WORKERS" -k gthread --threads "$THREADS" \
  --backlog 4096 --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

echo "== $STUDENTS students, ramp ${RAMP}s, then ${DURATION}s; gunicorn $WORKERS x $THREADS threads; $(nproc) cores"
"$PY" bench/load_sitting.py run --url "http://127.0.0.1:$PORT" --exam "$EXAM" --students "$STUDENTS" \
  --duration "$DURATION" --ramp "$RAMP" --server-pid "$SERVER"
