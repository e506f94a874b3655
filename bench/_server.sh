# Sourced by the bench/run_*.sh scripts: a fresh PostgreSQL database, collected static
# files, STUDENTS students and an open exam (load_sitting.py setup), and the WSGI server
# serving emtihan in the background. Sets EXAM (the exam's id), SERVER (the server's pid)
# and URL; server_pids prints the pids of the server and all its worker processes.
#
# Environment: PGURL (default postgres://postgres@127.0.0.1:5432), BENCH_DB (the database,
# dropped and made anew; default emtihan_bench), SERVER (granian: its WSGI
# interface, the default, docs/OPERATIONS.md; gunicorn: its threaded worker), WORKERS
# (processes, default 2: one per core here), THREADS (per process, default 4: gunicorn's
# threads, granian's blocking threads, each running the application; the defaults were
# 3 and 8 until 2026-12-03, see "The heartbeat by its token, hot reads, and 2 × 4
# threads" in docs/BENCHMARKS.md; figures before that say 3 × 8), PORT (default 8077),
# KEEPALIVE
# (seconds gunicorn keeps an idle connection open, default 2 as gunicorn's; granian closes
# one after 30 s without a request, its --http1-header-read-timeout), ACCESS_LOG (a file;
# gunicorn, which it chooses unless SERVER says otherwise, logs each request with its
# time on the server, in µs, for bench/server_latency.py), TIMED=1 (gunicorn likewise:
# serve bench/timed_wsgi.py: responses say when the application got the request and
# answered, so the generator can split its latencies).
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
BENCH_DB=${BENCH_DB:-emtihan_bench}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-4}
KEEPALIVE=${KEEPALIVE:-2}
PORT=${PORT:-8077}
# On input SERVER names the server (from here on it is the server's pid): granian, the
# production shape, unless what is asked for needs gunicorn's threaded worker.
SERVER_KIND=${SERVER:-granian}
if [ -z "${SERVER:-}" ] && { [ -n "${TIMED:-}" ] || [ -n "${ACCESS_LOG:-}" ]; }; then
  SERVER_KIND=gunicorn
fi
case "$SERVER_KIND" in
gunicorn) ;;
granian)
  if [ -n "${TIMED:-}" ] || [ -n "${ACCESS_LOG:-}" ]; then
    echo "TIMED and ACCESS_LOG need SERVER=gunicorn" >&2
    exit 2
  fi ;;
*) echo "SERVER must be granian or gunicorn" >&2; exit 2 ;;
esac
PY=${PY:-.venv/bin/python}
URL="http://127.0.0.1:$PORT"
export DATABASE_URL="$PGURL/$BENCH_DB" DJANGO_SETTINGS_MODULE=emtihan.settings
export ALLOWED_HOSTS=127.0.0.1,localhost DB_CONN_MAX_AGE=600 LOG_LEVEL=WARNING
# Prepared statements, as OPERATIONS.md recommends (DB_PREPARE_THRESHOLD= turns them off).
export DB_PREPARE_THRESHOLD=${DB_PREPARE_THRESHOLD-5}
# emtihan refuses to start with DEBUG off and no key of its own: a fresh one per run.
SECRET_KEY=${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}
export SECRET_KEY

psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB" >/dev/null
"$PY" manage.py migrate -v 0
"$PY" manage.py collectstatic --no-input -v 0
"$PY" bench/load_sitting.py setup --students "$STUDENTS" | tee "/tmp/emtihan-bench-setup-$BENCH_DB.txt"
EXAM=$(grep -o 'exam [0-9]*' "/tmp/emtihan-bench-setup-$BENCH_DB.txt" | head -1 | cut -d' ' -f2)

access=()
if [ -n "${ACCESS_LOG:-}" ]; then
  : >"$ACCESS_LOG"
  access=(--access-logfile "$ACCESS_LOG" --access-logformat '%(t)s %(m)s %(U)s %(s)s %(D)s')
fi
# serve_wsgi PORT APP [ARGS...]: the HTTP server of every benchmark, in the foreground, with
# the settings above; APP is MODULE:CALLABLE, bench/ on the path. bench/run_ratio.sh serves
# its floor endpoint with it too, so the two always run under the same server. ARGS go to
# gunicorn only.
serve_wsgi() {
  local port=$1 app=$2
  shift 2
  case "$SERVER_KIND" in
  gunicorn)
    exec .venv/bin/gunicorn "$app" --pythonpath bench -b "127.0.0.1:$port" -w "$WORKERS" \
      -k gthread --threads "$THREADS" --backlog 4096 --keep-alive "$KEEPALIVE" \
      --log-level warning "$@" ;;
  granian)
    PYTHONPATH=bench${PYTHONPATH:+:$PYTHONPATH} exec .venv/bin/granian --interface wsgi "$app" \
      --host 127.0.0.1 --port "$port" --workers "$WORKERS" --blocking-threads "$THREADS" \
      --backlog 4096 --log-level warning ;;
  esac
}
app=emtihan.wsgi:application
[ -n "${TIMED:-}" ] && app=timed_wsgi:application
serve_wsgi "$PORT" "$app" "${access[@]}" &
SERVER=$!
server_pids() { # the server and every process under it
  local pids=$SERVER next=$SERVER
  while next=$(pgrep -d ' ' -P "${next// /,}"); do pids="$pids $next"; done
  echo "$pids"
}
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done
