"""The secret token of a topic's Atom feed: made here, stored only as its SHA-256, compared in constant
time, never logged.

A feed reader cannot log in to Airflow, so the feed's URL carries a token (`?token=...`; Airflow's own
access log masks a query parameter of that name). Each topic has at most one: `newsmon tokens create`
makes it, `rotate` replaces it (the old URL stops working at once), `revoke` removes it (the feed
answers 403). The database holds only the hash, so a stolen database cannot be turned into feed URLs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from newsmon.store import outbound as store

TOKEN_BYTES = 32  # 256 bits of randomness, 43 URL-safe characters
_NO_TOKEN = hashlib.sha256(b"no token for this topic").hexdigest()  # compared against when none exists


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(session: Session, topic: str, now: datetime) -> str:
    """A new token for the topic, replacing any other (create and rotate); returned once, never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    store.set_token_hash(session, topic, token_hash(token), now)
    return token


def revoke(session: Session, topic: str) -> bool:
    """Remove the topic's token; True when it had one."""
    return store.revoke_token(session, topic)


def verify(session: Session, topic: str, presented: str | None) -> bool:
    """Whether `presented` is the topic's token. The hashes are compared with `hmac.compare_digest`, and
    the same work is done whether or not the topic has a token, so timing tells nothing."""
    stored = store.token_hash_of(session, topic)
    matches = hmac.compare_digest(token_hash(presented or ""), stored or _NO_TOKEN)
    return matches and stored is not None and bool(presented)
