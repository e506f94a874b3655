#!/usr/bin/env bash
# The exam page on a slow link (bench/slow_link.py) against gunicorn with PostgreSQL.
#
#   bench/run_slow_link.sh [KBPS] [RTT_MS]      # default 1000 kbit/s, +150 ms
#
# Environment: see bench/_server.sh; CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=1
source bench/_server.sh
"$PY" bench/slow_link.py --url "$URL" --exam "$EXAM" --kbps "${1:-1000}" --rtt "${2:-150}"
