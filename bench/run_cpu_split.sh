#!/usr/bin/env bash
# Where the CPU goes under the sitting load: CPU seconds of the server (all its processes),
# of the PostgreSQL backends serving emtihan_bench and of the load generator, during one
# run of bench/load_sitting.py (read from /proc before and after).
#
#   bench/run_cpu_split.sh [STUDENTS] [DURATION_S] [RAMP_S]     # default 1000 60 20
#
# Environment: see bench/_server.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${1:-1000}
DURATION=${2:-60}
RAMP=${3:-20}
source bench/_server.sh

ticks() { # utime+stime of the processes (pids, or a pattern of their command line), in ticks
  local total=0 pid pids=$1
  [[ $pids =~ ^[0-9\ ]+$ ]] || pids=$(pgrep -f "$1")
  for pid in $pids; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
server0=$(ticks "$(server_pids)")
db0=$(ticks "postgres: .*$BENCH_DB ")
client=$( { /usr/bin/time -f "%U %S" "$PY" bench/load_sitting.py run --url "$URL" --exam "$EXAM" \
  --students "$STUDENTS" --duration "$DURATION" --ramp "$RAMP" >/tmp/emtihan-cpu-split.txt; } 2>&1 | tail -1)
server1=$(ticks "$(server_pids)")
db1=$(ticks "postgres: .*$BENCH_DB ")
cat /tmp/emtihan-cpu-split.txt
requests=$(awk '$2 ~ /^[0-9]+$/ && $1 != "endpoint" {n += $2} END {print n}' /tmp/emtihan-cpu-split.txt)
awk -v s=$((server1 - server0)) -v d=$((db1 - db0)) -v hz="$hz" -v c="$client" -v n="$requests" 'BEGIN {
  split(c, t, " ");
  printf "CPU seconds: server %.1f, PostgreSQL %.1f, load generator %.1f, for %d requests\n", s / hz, d / hz, t[1] + t[2], n;
  printf "per request: server %.2f ms, PostgreSQL %.2f ms\n", s / hz / n * 1000, d / hz / n * 1000 }'
