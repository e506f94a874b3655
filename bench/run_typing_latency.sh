#!/usr/bin/env bash
# Typing latency with the browser's face analysis on and off (bench/typing_latency.py)
# against gunicorn with PostgreSQL (its own database and port, so it can run beside the
# other benchmarks).
#
#   bench/run_typing_latency.sh [KEYS_PER_RUN] [RUNS_PER_MODE]     # default 150, 3
#
# Environment: see bench/_server.sh; CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=1
PORT=${PORT:-8078}
BENCH_DB=${BENCH_DB:-emtihan_bench_typing}
source bench/_server.sh
"$PY" bench/typing_latency.py --url "$URL" --exam "$EXAM" --keys "${1:-150}" --runs "${2:-3}" ${JSON:+--json "$JSON"}
