#!/usr/bin/env bash
# The proctoring upstream of one student (bench/proctoring_upstream.py) against gunicorn
# with PostgreSQL, on the slow link's profile (bench/run_slow_link.sh).
#
#   bench/run_proctoring_upstream.sh [MINUTES] [SPEECH_EVERY_S] [UP_KBPS] [RTT_MS]
#   # defaults 3 min, speech once every 60 s (0: all the time), 512 kbit/s up, +150 ms
#
# Environment: see bench/_server.sh; CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=1
source bench/_server.sh
"$PY" bench/proctoring_upstream.py prepare --exam "$EXAM"
"$PY" bench/proctoring_upstream.py run --url "$URL" --exam "$EXAM" --minutes "${1:-3}" \
  --speech-every "${2:-60}" --up-kbps "${3:-512}" --rtt "${4:-150}"
