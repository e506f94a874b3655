#!/usr/bin/env bash
# The proctoring upstream of one student (bench/proctoring_upstream.py) against gunicorn
# with PostgreSQL, on the slow link's profile (bench/run_slow_link.sh).
#
#   bench/run_proctoring_upstream.sh [MINUTES] [UP_KBPS] [RTT_MS]   # default 3, 512, 150
#
# Environment: see bench/_server.sh; CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=1
source bench/_server.sh
"$PY" bench/proctoring_upstream.py prepare --exam "$EXAM"
"$PY" bench/proctoring_upstream.py run --url "$URL" --exam "$EXAM" --minutes "${1:-3}" \
  --up-kbps "${2:-512}" --rtt "${3:-150}"
