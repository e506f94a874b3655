#!/usr/bin/env bash
# Two web nodes and two workers on one machine, in the production shape of
# docs/OPERATIONS.md ("More than one machine"): nginx in front (one upstream, request
# buffering), two web processes (bench/_server.sh's server) on two ports, sessions and
# cache in Redis, the tasks queue in Redis (TASKS_BACKEND=rq) with two `rqworker`
# processes, one shared media folder, PostgreSQL. bench/load_sitting.py drives the sitting
# through nginx while bench/two_nodes.py posts snapshots for some of the students (their
# analysis is the workers' job); then it reports requests per web node (nginx's
# $upstream_addr), jobs per worker, the snapshots' analysis and peak memory.
#
#   flock /tmp/emtihan-bench.lock bench/run_two_nodes.sh [STUDENTS] [DURATION_S] [RAMP_S]
#   e.g. bench/run_two_nodes.sh 600 90 30
#
# Environment: see bench/_server.sh (PGURL, WORKERS: server processes per node, default 2,
# THREADS, KEEPALIVE: default 75 here); BENCH_DB (default emtihan_bench_rq); PROXY_PORT (nginx, 8180),
# PORT_A/PORT_B (the web nodes, 8181/8182); REDIS (default redis://127.0.0.1:6379/12);
# SNAPSHOT_STUDENTS (students who send snapshots, default 40), SNAPSHOT_EVERY (s, 20);
# NGINX (default nginx); KEEP=1 keeps the run's folder (logs, nginx.conf, media).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS=${1:-600}
DURATION=${2:-90}
RAMP=${3:-30}
PROXY_PORT=${PROXY_PORT:-8180}
PORT_A=${PORT_A:-8181}
PORT_B=${PORT_B:-8182}
SNAPSHOT_STUDENTS=${SNAPSHOT_STUDENTS:-40}
SNAPSHOT_EVERY=${SNAPSHOT_EVERY:-20}
NGINX=${NGINX:-nginx}
export WORKERS=${WORKERS:-2} BENCH_DB=${BENCH_DB:-emtihan_bench_rq}
# nginx keeps its idle connections to the nodes for 20 s (keepalive_timeout below): the
# nodes must keep them longer (gunicorn: KEEPALIVE; granian closes one after 30 s), or
# nginx sends a request on a connection the node is closing (a reset: a PUT is retried on
# the other node, a POST answered 502).
export KEEPALIVE=${KEEPALIVE:-75}
RUN=$(mktemp -d /tmp/emtihan-two-nodes.XXXXXX)
# What every node and worker shares: the database (_server.sh), Redis for the sessions,
# the cache and the queue, the media folder and SECRET_KEY (_server.sh makes one).
export REDIS_URL=${REDIS:-redis://127.0.0.1:6379/12} CACHE_KEY_PREFIX="bench-two-nodes-$$"
export TASKS_BACKEND=rq MEDIA_ROOT="$RUN/media"
mkdir -p "$MEDIA_ROOT"
# A queue left by an earlier run that was cut short would be worked off in this one.
.venv/bin/python - <<EOF
import redis
r = redis.Redis.from_url("$REDIS_URL")
for key in r.scan_iter("rq:*"):
    r.delete(key)
EOF

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -z "${KEEP:-}" ]; then rm -rf "$RUN"; else echo "kept $RUN"; fi
}

# Web node A: _server.sh makes the database, the students and the exam and serves on PORT.
PORT=$PORT_A
source bench/_server.sh
pids+=("$SERVER")
trap cleanup EXIT
# Web node B: the same server on its own port.
serve_wsgi "$PORT_B" emtihan.wsgi:application &
SERVER_B=$!
pids+=("$SERVER_B")

# The workers: two processes, as on two machines (`manage.py rqworker default`).
for name in a b; do
  "$PY" manage.py rqworker default --name "two-nodes-$name-$$" >"$RUN/worker-$name.log" 2>&1 &
  pids+=($!)
  eval "WORKER_${name^^}=$!"
done

# nginx: one upstream of the two nodes, in the foreground, as this user, files in $RUN.
user=""
[ "$(id -u)" = 0 ] && user="user $(id -un);"
cat >"$RUN/nginx.conf" <<EOF
$user
worker_processes 1;
daemon off;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log warn;
events { worker_connections 4096; }
http {
  log_format upstreams '\$upstream_addr \$status \$request_time "\$request"';
  access_log $RUN/access.log upstreams buffer=64k;
  client_body_temp_path $RUN/client_body;
  proxy_temp_path $RUN/proxy;
  fastcgi_temp_path $RUN/fastcgi;
  uwsgi_temp_path $RUN/uwsgi;
  scgi_temp_path $RUN/scgi;
  client_max_body_size 30m;
  client_body_buffer_size 128k;  # a snapshot (40-60 kB) stays in memory
  upstream emtihan {
    server 127.0.0.1:$PORT_A;
    server 127.0.0.1:$PORT_B;
    keepalive 64;
    keepalive_timeout 20s;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://emtihan;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_request_buffering on;
    }
  }
}
EOF
"$NGINX" -p "$RUN" -c "$RUN/nginx.conf" &
NGINX_PID=$!
pids+=("$NGINX_PID")
PROXY="http://127.0.0.1:$PROXY_PORT"
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$PORT_B/healthz" >/dev/null && curl -sf "$PROXY/healthz" >/dev/null && break
  sleep 0.2
done

"$PY" bench/two_nodes.py memory --out "$RUN/memory.txt" "web-a=$SERVER" "web-b=$SERVER_B" \
  "worker-a=$WORKER_A" "worker-b=$WORKER_B" "nginx=$NGINX_PID" &
MEMORY=$!
pids+=("$MEMORY")
"$PY" bench/two_nodes.py prepare --exam "$EXAM" --students "$SNAPSHOT_STUDENTS"
until=$(($(date +%s) + RAMP + DURATION))
"$PY" bench/two_nodes.py snapshots --url "$PROXY" --exam "$EXAM" \
  --students "$SNAPSHOT_STUDENTS" --every "$SNAPSHOT_EVERY" --until "$until" >"$RUN/snapshots.txt" &
SNAPSHOTS=$!

echo "== $STUDENTS students through nginx :$PROXY_PORT -> web :$PORT_A, :$PORT_B ($SERVER_KIND $WORKERS x $THREADS threads each); $SNAPSHOT_STUDENTS of them send a snapshot every ${SNAPSHOT_EVERY}s; 2 rq workers; ramp ${RAMP}s, then ${DURATION}s; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$PY" bench/load_sitting.py run --url "$PROXY" --exam "$EXAM" --students "$STUDENTS" \
  --duration "$DURATION" --ramp "$RAMP" --server-pid "$SERVER" --server-pid "$SERVER_B" \
  --processes "${PROCESSES:-1}"
wait "$SNAPSHOTS"
cat "$RUN/snapshots.txt"
# the workers finish what is queued (at most 60 s more)
for _ in $(seq 1 60); do
  [ "$(redis-cli -u "$REDIS_URL" llen rq:queue:default)" = 0 ] && break
  sleep 1
done
sleep 2
kill "$NGINX_PID" # flushes the access log
wait "$NGINX_PID" 2>/dev/null || true
kill "$MEMORY"
wait "$MEMORY" 2>/dev/null || true
"$PY" bench/two_nodes.py report --access-log "$RUN/access.log"
cat "$RUN/memory.txt"
