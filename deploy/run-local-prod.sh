#!/usr/bin/env bash
# A production-like KSF on this machine: PostgreSQL + two gunicorn web processes (ports 8001
# and 8002) + one task worker, DEBUG=0, static files by whitenoise (CompressedManifest).
#
#   deploy/run-local-prod.sh start      # PostgreSQL, migrate, collectstatic, demo data, start all
#   deploy/run-local-prod.sh stop       # stop web processes and worker (PostgreSQL keeps running)
#   deploy/run-local-prod.sh status
#   deploy/run-local-prod.sh upgrade    # new code: migrate + collectstatic + graceful reload
#   deploy/run-local-prod.sh backup DIR
#   deploy/run-local-prod.sh restore DIR
#   deploy/run-local-prod.sh scale PORT # one more web process on PORT (scale out)
#   deploy/run-local-prod.sh worker-restart
#
# Plain HTTP on loopback, so SSL redirect and secure cookies are switched off here; a real
# deployment sits behind HTTPS (see deploy/nginx/ksf.conf and deploy/.env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUN=$ROOT/var/prod
mkdir -p "$RUN/log"
PY=$ROOT/.venv/bin/python
GUNICORN=$ROOT/.venv/bin/gunicorn
PORTS=${KSF_PORTS:-"8001 8002"}
DBNAME=${KSF_PROD_DB:-ksf_prod}

[ -f "$RUN/secret_key" ] || "$PY" -c "import secrets; print(secrets.token_urlsafe(64))" > "$RUN/secret_key"
export DEBUG=0
export SECRET_KEY
SECRET_KEY=$(cat "$RUN/secret_key")
export ALLOWED_HOSTS=localhost,127.0.0.1
export DATABASE_URL=${DATABASE_URL:-postgres://ksf:ksf@127.0.0.1:5432/$DBNAME}
export TASKS_BACKEND=database CACHE=database PAGECACHE_GRACE_SECONDS=${PAGECACHE_GRACE_SECONDS:-5}
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
export MEDIA_ROOT=${MEDIA_ROOT:-$RUN/media}
export SITE_URL=http://127.0.0.1:8001
# One worker process per gunicorn instance (so two web processes in all) on this 2-core machine:
# with two each, the same load (make load) cost 51.6 ms CPU per request instead of 32.2 (issue #9).
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-1} GUNICORN_THREADS=${GUNICORN_THREADS:-4}

postgres_up() {
  local ver
  ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_isready -h 127.0.0.1 -q || pg_ctlcluster "$ver" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
  su postgres -c "psql -q -c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='ksf') THEN CREATE ROLE ksf LOGIN CREATEDB PASSWORD 'ksf'; END IF; END\\\$\\\$;\""
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='$DBNAME'\" | grep -q 1 || createdb -O ksf $DBNAME"
}

# --capture-output: the app's own log (JSON, stderr) goes to web-PORT.log too; a daemon has no terminal.
start_web() {
  local port=$1
  if [ -f "$RUN/web-$port.pid" ] && kill -0 "$(cat "$RUN/web-$port.pid")" 2>/dev/null; then return; fi
  KSF_BIND=127.0.0.1:$port "$GUNICORN" -c deploy/gunicorn.conf.py --pid "$RUN/web-$port.pid" \
    --daemon --capture-output --access-logfile "$RUN/log/access-$port.log" --error-logfile "$RUN/log/web-$port.log" ksf.wsgi
}

start_worker() {
  if [ -f "$RUN/worker.pid" ] && kill -0 "$(cat "$RUN/worker.pid")" 2>/dev/null; then return; fi
  # As systemd does for deploy/systemd/ksf-worker.service (Restart=always, RestartSec=5): a worker
  # that exits — db_worker stops when PostgreSQL restarts under it — is started again after 5 s.
  # Before each start, tasks left RUNNING by a worker that died go back in the queue
  # (requeue_stale_tasks). worker.pid is this supervising loop; TERM stops it and its worker.
  # The worker runs at a lower priority (nice 10, Nice= in the unit): embedding new records is
  # background work and must not slow the pages people are waiting for.
  nohup bash -c '
    child=0
    trap '"'"'[ "$child" -gt 0 ] && kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0'"'"' TERM INT
    while true; do
      "$0" manage.py requeue_stale_tasks --older-than "$1"
      nice -n 10 "$0" manage.py db_worker & child=$!
      wait "$child"
      echo "arbeideren stoppet (kode $?); starter på nytt om 5 s"
      sleep 5 & wait $!
    done' "$PY" "${KSF_TASK_STALE_AFTER:-600}" >> "$RUN/log/worker.log" 2>&1 &
  echo $! > "$RUN/worker.pid"
}

wait_ready() {
  for port in $PORTS; do
    for _ in $(seq 1 60); do
      curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
      sleep 1
    done
    curl -fsS "http://127.0.0.1:$port/readyz" && echo "  <- port $port"
  done
}

prepare() {
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py createcachetable
  "$PY" manage.py collectstatic --noinput -v0
}

stop_pidfile() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -f "$file"
}

case "${1:-start}" in
  start)
    postgres_up
    prepare
    [ "${KSF_NO_DEMO:-0}" = 1 ] || "$PY" manage.py load_demo >/dev/null
    for port in $PORTS; do start_web "$port"; done
    start_worker
    wait_ready
    echo "KSF (produksjonsoppsett) kjører: http://127.0.0.1:8001 og http://127.0.0.1:8002; logger i $RUN/log"
    ;;
  stop)
    for file in "$RUN"/web-*.pid; do [ -e "$file" ] && stop_pidfile "$file"; done
    stop_pidfile "$RUN/worker.pid"
    echo "stoppet"
    ;;
  status)
    for file in "$RUN"/web-*.pid "$RUN/worker.pid"; do
      [ -e "$file" ] || continue
      if kill -0 "$(cat "$file")" 2>/dev/null; then echo "$(basename "$file" .pid): kjører (pid $(cat "$file"))"; else echo "$(basename "$file" .pid): stoppet"; fi
    done
    ;;
  upgrade)
    postgres_up
    prepare
    for file in "$RUN"/web-*.pid; do [ -e "$file" ] && kill -HUP "$(cat "$file")"; done
    stop_pidfile "$RUN/worker.pid"; start_worker
    wait_ready
    ;;
  worker-restart)
    stop_pidfile "$RUN/worker.pid"; start_worker; echo "arbeider startet (pid $(cat "$RUN/worker.pid"))"
    ;;
  backup)
    "$PY" manage.py backup --output "${2:?backup DIR}"
    ;;
  restore)
    "$PY" manage.py restore "${2:?restore DIR}" --yes
    ;;
  scale)
    start_web "${2:?PORT}"
    PORTS=$2 wait_ready
    ;;
  env)
    # Print the environment, e.g. `eval "$(deploy/run-local-prod.sh env)"` to run manage.py against it.
    for v in DEBUG SECRET_KEY ALLOWED_HOSTS DATABASE_URL TASKS_BACKEND CACHE PAGECACHE_GRACE_SECONDS SECURE_SSL_REDIRECT SECURE_COOKIES MEDIA_ROOT SITE_URL; do
      printf 'export %s=%q\n' "$v" "${!v}"
    done
    ;;
  *)
    echo "bruk: $0 start|stop|status|upgrade|worker-restart|backup DIR|restore DIR|scale PORT|env" >&2
    exit 2
    ;;
esac
