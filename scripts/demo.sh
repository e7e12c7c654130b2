#!/usr/bin/env bash
# The demo: the bundled corpus served on 127.0.0.1:$DEMO_PORT, polled by the real DAG.
#   scripts/demo.sh once     one DAG run (`airflow dags test`), then the flagged stories are printed
#   scripts/demo.sh airflow  Airflow keeps running against the demo corpus (UI on :8080)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"   # airflow standalone starts its components as `airflow ...`
MODE=${1:-once}
PORT=${DEMO_PORT:-8765}
mkdir -p "$AIRFLOW_HOME"
export NEWSMON_DB_URL="sqlite:///$AIRFLOW_HOME/newsmon-demo.db"
export NEWSMON_FEEDS_FILE="$AIRFLOW_HOME/demo-feeds.yaml"
export NEWSMON_HOST_DELAY=0   # our own server on 127.0.0.1: no need to space requests out
export NEWSMON_DISCOVERY_FILE=off   # the demo corpus is the whole world: no searches of the real web
"$BIN/newsmon" demo feeds --port "$PORT" --out "$NEWSMON_FEEDS_FILE"
"$BIN/newsmon" demo serve --port "$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
"$BIN/newsmon" db upgrade
"$BIN/airflow" db migrate >/dev/null
if [ "$MODE" = airflow ]; then
  echo "Demo corpus on http://127.0.0.1:$PORT; Airflow UI on http://localhost:8080"
  "$BIN/airflow" standalone
else
  "$BIN/airflow" dags test news_monitor >"$AIRFLOW_HOME/demo-run.log" 2>&1 \
    || { tail -50 "$AIRFLOW_HOME/demo-run.log"; exit 1; }
  echo "DAG run finished (log: $AIRFLOW_HOME/demo-run.log). Flagged stories:"
  "$BIN/newsmon" stories list
fi
