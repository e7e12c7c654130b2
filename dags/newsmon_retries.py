"""The retry policy of every newsmon task, shared by the DAGs so that it is written once.

A task that fails is retried after ``NEWSMON_RETRY_SECONDS`` (30 by default), then after twice as long each
time up to the DAG's own longest delay: a database or network blip is retried soon, an outage rarely.
"""

import os
from datetime import timedelta


def retry_args(retries: int, *, longest: timedelta) -> dict[str, object]:
    """A DAG's ``default_args``: ``retries`` retries, the first after NEWSMON_RETRY_SECONDS (read when the DAG
    file is parsed, like the DAGs' other settings), doubling up to ``longest``."""
    return {
        "retries": retries,
        "retry_delay": timedelta(seconds=float(os.environ.get("NEWSMON_RETRY_SECONDS", "30"))),
        "retry_exponential_backoff": True,
        "max_retry_delay": longest,
    }
