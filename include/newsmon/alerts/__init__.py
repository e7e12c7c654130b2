"""Alerts (one email per new story and topic, exactly once) and the periodic digest.

Modules: `smtp` (server config and one reusable connection), `render` + `templates/` (what an email says),
`message` (the MIME message), `stage` (queue and deliver alerts), `digest` (the per-recipient summary),
`units` (a unit of work from a URL or a session factory).
Nothing here imports Airflow: the Airflow side passes a plain `SmtpConfig`.
"""
