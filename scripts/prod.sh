#!/usr/bin/env bash
# newsmon on Airflow's distributed engine, on one machine: PostgreSQL (Airflow's metadata + newsmon's data),
# CeleryExecutor with Redis, scheduler, DAG processor, triggerer, API server and N Celery workers.
#
#   scripts/prod.sh start      create the databases if missing, migrate both, start every component
#   scripts/prod.sh stop       stop every component by process group (TERM, then KILL after a timeout)
#   scripts/prod.sh status     which components run, and whether the API answers
#   scripts/prod.sh airflow …  the airflow CLI with this stack's environment (e.g. `dags list-runs news_monitor`)
#   scripts/prod.sh newsmon …  the newsmon CLI on this stack's newsmon database (e.g. `stories list`)
#
# Each component runs in its own session/process group (setsid), with a pid file in $PROD_HOME/run/ and a
# log in $PROD_HOME/logs/. Secrets are generated once into $PROD_HOME/secrets.env (mode 600) and exported
# to every component, so tokens the API server signs are accepted by workers and the scheduler.
#
# Settings (environment, defaults in brackets):
#   PROD_HOME [airflow_home/prod]           the AIRFLOW_HOME of this stack
#   PROD_PG_HOST [127.0.0.1] PROD_PG_PORT [5432] PROD_PG_USER [postgres] PROD_PG_PASSWORD []
#   PROD_AIRFLOW_DB [newsmon_airflow]       Airflow's metadata database (also the Celery result backend)
#   PROD_NEWSMON_DB [newsmon]               newsmon's database (given to tasks as the `newsmon_db` connection)
#   PROD_REDIS_URL [redis://127.0.0.1:6379/0]  the Celery broker
#   PROD_API_PORT [8080]  PROD_WORKERS [2]  PROD_WORKER_CONCURRENCY [4]  PROD_LOG_PORT_BASE [8793]
#   PROD_SMTP_URL []                        smtp://host:port -> the `smtp_default` connection (none: alerts wait)
#   PROD_HEARTBEAT_TIMEOUT [300]            seconds before a task whose worker died is failed and retried
#   PROD_MIN_HEARTBEAT [1]                  whole seconds between a running task's heartbeats (and exit checks)
#   PROD_STOP_TIMEOUT [30]                  seconds between TERM and KILL on stop
#   PROD_STATUS_WAIT [10]                   seconds `status` waits for the API to answer (a busy host is slow)
#   DEMO=1  DEMO_PORT [8765]                poll the bundled demo corpus served on 127.0.0.1 (works offline)
#   NEWSMON_FEEDS_FILE [config/feeds.yaml]  the feed list when not DEMO
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PROD_BIN:-$REPO/.venv/bin}
PROD_HOME=${PROD_HOME:-$REPO/airflow_home/prod}
RUN_DIR=$PROD_HOME/run
LOG_DIR=$PROD_HOME/logs
ENV_FILE=$PROD_HOME/prod.env
SECRETS=$PROD_HOME/secrets.env

# --------------------------------------------------------------------------------------------- environment

write_env() {
  local pg_host=${PROD_PG_HOST:-127.0.0.1} pg_port=${PROD_PG_PORT:-5432} pg_user=${PROD_PG_USER:-postgres}
  local pg_pass=${PROD_PG_PASSWORD:-} af_db=${PROD_AIRFLOW_DB:-newsmon_airflow} nm_db=${PROD_NEWSMON_DB:-newsmon}
  local api_port=${PROD_API_PORT:-8080} auth=$pg_user
  [ -n "$pg_pass" ] && auth="$pg_user:$pg_pass"
  local pg="$auth@$pg_host:$pg_port"
  local feeds=${NEWSMON_FEEDS_FILE:-$REPO/config/feeds.yaml}
  local demo=${DEMO:-0} demo_port=${DEMO_PORT:-8765}
  if [ "$demo" = 1 ]; then feeds=$PROD_HOME/demo-feeds.yaml; fi
  local smtp_conn=""
  if [ -n "${PROD_SMTP_URL:-}" ]; then
    local hostport=${PROD_SMTP_URL#smtp://}
    smtp_conn=$(printf '{"conn_type": "smtp", "host": "%s", "port": %s, "extra": {"disable_ssl": true, "disable_tls": true, "from_email": "newsmon@localhost"}}' \
      "${hostport%%:*}" "${hostport##*:}")
  fi
  {
    echo "# written by scripts/prod.sh start; read by every component and by stop/status"
    echo "export AIRFLOW_HOME=$(printf %q "$PROD_HOME")"
    echo "export PROD_HOME=$(printf %q "$PROD_HOME")"
    echo "export AIRFLOW__CORE__EXECUTOR=CeleryExecutor"
    echo "export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg://$pg/$af_db"
    # Airflow derives its async URL as postgresql+asyncpg (not installed): name the psycopg 3 async driver
    echo "export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=postgresql+psycopg_async://$pg/$af_db"
    echo "export AIRFLOW__CELERY__BROKER_URL=${PROD_REDIS_URL:-redis://127.0.0.1:6379/0}"
    echo "export AIRFLOW__CELERY__RESULT_BACKEND=db+postgresql+psycopg://$pg/$af_db"
    echo "export AIRFLOW__CELERY__WORKER_CONCURRENCY=${PROD_WORKER_CONCURRENCY:-4}"
    echo "export AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=newsmon_celery.CELERY_CONFIG  # plugins/: workers preload newsmon"
    echo "export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$api_port/execution/"
    echo "export AIRFLOW__API__PORT=$api_port"
    echo "export AIRFLOW__API__BASE_URL=http://localhost:$api_port"
    echo "export AIRFLOW__CORE__DAGS_FOLDER=$(printf %q "$REPO/dags")"
    echo "export AIRFLOW__CORE__PLUGINS_FOLDER=$(printf %q "$REPO/plugins")"
    echo "export AIRFLOW__CORE__LOAD_EXAMPLES=False"
    echo "export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False"
    echo "export AIRFLOW__CORE__PARALLELISM=${PROD_PARALLELISM:-16}"
    echo "export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=${PROD_USERS:-admin:admin}"
    # a busy 2-core machine answers the Execution API slowly while components start: wait, do not fail tasks
    echo "export AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT=${PROD_EXECUTION_API_TIMEOUT:-30}"
    # A task's supervisor notices its task process has exited at its next wake-up, every [workers]
    # min_heartbeat_interval (5 s): a finished task held its Celery slot up to 5 s more (a skipped one, whose
    # end is stamped at exit, showed 5 s longer). 1 s: each running task heartbeats once a second, and
    # max_failed_heartbeats keeps the API outage a task survives at Airflow's 3 x 5 s.
    local heartbeat=${PROD_MIN_HEARTBEAT:-1}
    echo "export AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL=$heartbeat"
    echo "export AIRFLOW__WORKERS__MAX_FAILED_HEARTBEATS=$(((15 + heartbeat - 1) / heartbeat))"
    echo "export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=${PROD_HEARTBEAT_TIMEOUT:-300}"
    echo "export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL=${PROD_HEARTBEAT_CHECK:-10}"
    echo "export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=${PROD_DAG_REFRESH:-60}"
    # Each DAG file is parsed again every 120 s instead of Airflow's 30: newsmon's DAG files change only when
    # newsmon is deployed. bench/pipeline.py --mode celery: the DAG processor took 8.5 s of CPU during a 66 s
    # run at 30 s, 5.7-6.6 s in runs at 120 s (newsmon's own DAG code runs in 0.1 s a round).
    echo "export AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL=${PROD_DAG_PARSE_INTERVAL:-120}"
    echo "export AIRFLOW_CONN_NEWSMON_DB=$(printf %q "{\"conn_type\": \"postgres\", \"host\": \"$pg_host\", \"port\": $pg_port, \"login\": \"$pg_user\", \"password\": \"$pg_pass\", \"schema\": \"$nm_db\"}")"
    if [ -n "$smtp_conn" ]; then echo "export AIRFLOW_CONN_SMTP_DEFAULT=$(printf %q "$smtp_conn")"; fi
    echo "export NEWSMON_CONFIG_DIR=$(printf %q "${NEWSMON_CONFIG_DIR:-$REPO/config}")"
    echo "export NEWSMON_FEEDS_FILE=$(printf %q "$feeds")"
    echo "export PROD_NEWSMON_URL=postgresql+psycopg://$pg/$nm_db"
    echo "export PROD_ADMIN_URL=postgresql://$pg/${PROD_PG_ADMIN_DB:-postgres}"
    echo "export PROD_AIRFLOW_DB=$af_db PROD_NEWSMON_DB=$nm_db"
    echo "export PROD_WORKERS=${PROD_WORKERS:-2} PROD_LOG_PORT_BASE=${PROD_LOG_PORT_BASE:-8793}"
    echo "export PROD_API_PORT=$api_port DEMO=$demo DEMO_PORT=$demo_port"
    # every other NEWSMON_* knob the caller set (host delay, batch size, retry seconds …) reaches the tasks
    { env | grep -E '^NEWSMON_(HOST_DELAY|BATCH_SIZE|RETRY_SECONDS|POLL_MINUTES|ALLOW_PRIVATE|TOPICS_DIR|UI_URL|SMTP_URL|DISCOVERY_FILE)=' || true; } \
      | while IFS='=' read -r k v; do echo "export $k=$(printf %q "$v")"; done
    if [ "$demo" = 1 ] && [ -z "${NEWSMON_HOST_DELAY:-}" ]; then
      echo "export NEWSMON_HOST_DELAY=0  # our own demo server: no politeness delay needed"
    fi
  } >"$ENV_FILE"
}

write_secrets() {
  [ -s "$SECRETS" ] && return 0
  (
    umask 077
    "$BIN/python" - >"$SECRETS" <<'PY'
import secrets

from cryptography.fernet import Fernet

print("# generated once by scripts/prod.sh; shared by every component of this stack")
print(f"export AIRFLOW__API_AUTH__JWT_SECRET={secrets.token_urlsafe(48)}")
print(f"export AIRFLOW__API__SECRET_KEY={secrets.token_urlsafe(48)}")
print(f"export AIRFLOW__CORE__FERNET_KEY={Fernet.generate_key().decode()}")
PY
  )
}

load_env() {
  [ -f "$ENV_FILE" ] || { echo "no stack prepared in $PROD_HOME (run: scripts/prod.sh start)" >&2; return 1; }
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  # shellcheck disable=SC1090
  source "$SECRETS"
  export PATH="$BIN:$PATH"
}

create_databases() {
  "$BIN/python" - "$PROD_ADMIN_URL" "$PROD_AIRFLOW_DB" "$PROD_NEWSMON_DB" <<'PY'
import sys

import psycopg
from psycopg import sql

admin, *names = sys.argv[1:]
with psycopg.connect(admin, autocommit=True) as conn:
    for name in names:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
PY
}

# ----------------------------------------------------------------------------------------------- processes

pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }

group_alive() { [ -n "$1" ] && kill -0 -- "-$1" 2>/dev/null; }

launch() {  # launch NAME COMMAND...: its own session and process group; pid == pgid
  local name=$1
  shift
  if group_alive "$(pid_of "$name")"; then
    echo "  $name already running (pgid $(pid_of "$name"))"
    return 0
  fi
  setsid "$@" </dev/null >"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
  echo "  $name started (pgid $!, log $LOG_DIR/$name.log)"
}

components() {  # stop order: nothing new scheduled first, then the workers finish or die, then the rest
  echo scheduler triggerer dag-processor
  for i in $(seq 1 "${PROD_WORKERS:-2}"); do echo "worker$i"; done
  echo api-server demo-server
}

stop_all() {
  local timeout=${PROD_STOP_TIMEOUT:-30} name pgid
  for name in $(components); do
    pgid=$(pid_of "$name")
    group_alive "$pgid" && kill -TERM -- "-$pgid" 2>/dev/null && echo "  TERM $name (pgid $pgid)"
  done
  local deadline=$((SECONDS + timeout))
  for name in $(components); do
    pgid=$(pid_of "$name")
    while group_alive "$pgid" && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
    if group_alive "$pgid"; then
      kill -KILL -- "-$pgid" 2>/dev/null || true
      echo "  KILL $name (pgid $pgid): did not stop within ${timeout}s"
    fi
    rm -f "$RUN_DIR/$name.pid"
  done
}

wait_http() {  # wait_http URL SECONDS [SECONDS PER REQUEST, 2]
  local deadline=$((SECONDS + $2))
  until "$BIN/python" -c "import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2]))" \
    "$1" "${3:-2}" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 1
  done
}

# ------------------------------------------------------------------------------------------------ commands

start() {
  mkdir -p "$PROD_HOME" "$RUN_DIR" "$LOG_DIR"
  write_env
  write_secrets
  load_env
  echo "newsmon production stack in $PROD_HOME"
  create_databases
  echo "  airflow db migrate ($PROD_AIRFLOW_DB)"
  airflow db migrate >"$LOG_DIR/db-migrate.log" 2>&1 || { tail -30 "$LOG_DIR/db-migrate.log"; exit 1; }
  echo "  newsmon db upgrade ($PROD_NEWSMON_DB)"
  NEWSMON_DB_URL=$PROD_NEWSMON_URL newsmon db upgrade
  if [ "$DEMO" = 1 ]; then
    export NEWSMON_DISCOVERY_FILE=off  # the demo corpus is the whole world: no searches of the real web
    newsmon demo feeds --port "$DEMO_PORT" --out "$NEWSMON_FEEDS_FILE"
    launch demo-server newsmon demo serve --port "$DEMO_PORT"
  fi
  launch api-server airflow api-server --port "$PROD_API_PORT"
  # workers talk to the Execution API from their first task on: let the API server come up first
  if ! wait_http "http://127.0.0.1:$PROD_API_PORT/api/v2/monitor/health" "${PROD_START_TIMEOUT:-120}"; then
    echo "API server did not answer; see $LOG_DIR/api-server.log" >&2
    exit 1
  fi
  # The Execution API builds its versioned routes (Cadwyn) on its first request, synchronously: 10-30 s of
  # this 2-core machine's CPU during which the API server answers nobody. Without this request the first
  # task of the stack's life paid it (bench/pipeline.py --mode celery: `prepare` 9-29 s, its work ~1 s).
  if ! wait_http "http://127.0.0.1:$PROD_API_PORT/execution/health" "${PROD_START_TIMEOUT:-120}" \
    "${PROD_START_TIMEOUT:-120}"; then
    echo "Execution API did not answer; see $LOG_DIR/api-server.log" >&2
    exit 1
  fi
  launch scheduler airflow scheduler
  launch dag-processor airflow dag-processor
  launch triggerer airflow triggerer
  local host
  host=$(hostname -s 2>/dev/null || echo localhost)
  for i in $(seq 1 "$PROD_WORKERS"); do
    # distinct Celery node names and log-server ports: two workers on one machine must not collide
    launch "worker$i" env AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$((PROD_LOG_PORT_BASE + i - 1)) \
      airflow celery worker --celery-hostname "worker$i@$host"
  done
  local user=${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS%%:*}
  local pwfile=$PROD_HOME/simple_auth_manager_passwords.json.generated
  echo "Airflow UI: http://localhost:$PROD_API_PORT  login: $user  password: $(
    "$BIN/python" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], "?"))' \
      "$pwfile" "$user" 2>/dev/null || echo "see $pwfile")"
  echo "Stop with: make stop-prod   (or scripts/prod.sh stop)"
}

status() {
  load_env
  local name pgid rc=0
  for name in $(components); do
    [ "$name" = demo-server ] && [ "$DEMO" != 1 ] && continue
    pgid=$(pid_of "$name")
    if group_alive "$pgid"; then
      printf '  %-14s running  pgid %s\n' "$name" "$pgid"
    else
      printf '  %-14s stopped\n' "$name"
      rc=1
    fi
  done
  if wait_http "http://127.0.0.1:$PROD_API_PORT/api/v2/monitor/health" "${PROD_STATUS_WAIT:-10}"; then
    echo "  API            http://localhost:$PROD_API_PORT answers"
  else
    echo "  API            not answering on :$PROD_API_PORT"
    rc=1
  fi
  return $rc
}

cmd=${1:-status}
[ $# -gt 0 ] && shift
case "$cmd" in
  start) start ;;
  stop)
    load_env || exit 0
    echo "stopping newsmon production stack in $PROD_HOME"
    stop_all
    ;;
  status) status ;;
  airflow) load_env && exec airflow "$@" ;;
  newsmon) load_env && NEWSMON_DB_URL=$PROD_NEWSMON_URL exec newsmon "$@" ;;
  *)
    echo "usage: $0 start|stop|status|airflow ARGS|newsmon ARGS" >&2
    exit 2
    ;;
esac
