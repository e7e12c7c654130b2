#!/usr/bin/env bash
# Prepare the Airflow home and both databases, then start Airflow in the foreground (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"   # airflow standalone starts its components as `airflow ...`
mkdir -p "$AIRFLOW_HOME"
"$BIN/newsmon" db upgrade            # newsmon's own database (SQLite in $AIRFLOW_HOME by default)
"$BIN/airflow" db migrate >/dev/null  # Airflow's metadata database
echo "Airflow UI: http://localhost:8080  (login: ${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS%%:*}, password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated)"
exec "$BIN/airflow" standalone
