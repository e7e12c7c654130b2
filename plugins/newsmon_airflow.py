"""The bridge between Airflow and the newsmon library: only here does newsmon read Airflow connections.

Used by the DAGs (inside tasks) and by the News Monitor UI plugin. The plugins folder is on Airflow's
sys.path in every component, which is why this lives here and not in `include/newsmon` (which must not
import Airflow).
"""

from __future__ import annotations

import logging
import os

from newsmon.config.settings import Settings, load_settings

log = logging.getLogger(__name__)

DB_CONN_ID = "newsmon_db"
SMTP_CONN_ID = os.environ.get("NEWSMON_SMTP_CONN_ID", "smtp_default")


def _get_connection(conn_id: str):
    """Look a connection up in whichever way the calling component can (task SDK in workers, secrets
    backends and the metadata DB in the API server); None when it is not defined."""
    try:
        from airflow.sdk import Connection

        return Connection.get(conn_id)
    except Exception as task_exc:  # outside a task the SDK has no supervisor to ask
        try:
            from airflow.models.connection import Connection as ModelConnection

            return ModelConnection.get_connection_from_secrets(conn_id)
        except Exception as exc:
            log.debug("connection %s not available: %s / %s", conn_id, task_exc, exc)
            return None


def db_url_from_connection(conn) -> str | None:
    from sqlalchemy.engine import URL

    extra = conn.extra_dejson if getattr(conn, "extra", None) else {}
    if extra.get("sqlalchemy_url"):
        return extra["sqlalchemy_url"]
    if conn.conn_type in ("postgres", "postgresql"):
        return URL.create(
            "postgresql+psycopg",
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host or None,
            port=conn.port or None,
            database=conn.schema or None,
        ).render_as_string(hide_password=False)
    if conn.conn_type == "sqlite":
        return f"sqlite:///{conn.host}"
    raise ValueError(f"connection {DB_CONN_ID}: unsupported type {conn.conn_type!r} (use postgres or sqlite)")


def settings_from_airflow() -> Settings:
    """newsmon's settings, with the database from the `newsmon_db` connection when one is defined.

    Order: NEWSMON_DB_URL in the environment, then the connection, then the SQLite file in AIRFLOW_HOME.
    """
    settings = load_settings()
    if os.environ.get("NEWSMON_DB_URL"):
        return settings
    conn = _get_connection(DB_CONN_ID)
    if conn is None:
        return settings
    return settings.with_(db_url=db_url_from_connection(conn))


def smtp_from_airflow():
    """The alerts' SMTP server, from the Airflow SMTP connection; None when there is none (alerts wait)."""
    from newsmon.alerts.smtp import SmtpConfig

    if os.environ.get("NEWSMON_SMTP_URL"):
        return SmtpConfig.from_url(os.environ["NEWSMON_SMTP_URL"])
    conn = _get_connection(SMTP_CONN_ID)
    if conn is None or not conn.host:
        log.warning("no SMTP connection %r: alerts stay pending until one is defined", SMTP_CONN_ID)
        return None
    extra = conn.extra_dejson
    use_ssl = not _truthy(extra.get("disable_ssl", True))
    starttls = not _truthy(extra.get("disable_tls", False))
    return SmtpConfig(
        host=conn.host,
        port=int(conn.port or (465 if use_ssl else 25)),
        username=conn.login or None,
        password=conn.password or None,
        use_ssl=use_ssl,
        starttls=starttls and not use_ssl,
        from_email=extra.get("from_email") or "newsmon@localhost",
        timeout=float(extra.get("timeout", 30)),
    )


def _truthy(value) -> bool:
    """Connection extras arrive as JSON booleans or, from URIs, as strings: "false" must mean false."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
