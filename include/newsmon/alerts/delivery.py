"""What a claimed alert or digest becomes after one attempt: sent, tried again later, or failed.

The retry half of the one claim/lease/retry machinery that alerts (`stage.py`) and digests (`digest.py`)
share; its SQL half (claiming, the lease, recording the outcome) is `newsmon.store.delivery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from newsmon.alerts.smtp import SendKind, SendResult
from newsmon.store.delivery import DeliveryStatus

LEASE = timedelta(minutes=15)  # how long a claim holds before another run may assume its worker died
FIRST_RETRY = timedelta(minutes=2)
LONGEST_RETRY = timedelta(hours=2)


def retry_delay(attempts: int) -> timedelta:
    """2, 4, 8 ... minutes, at most two hours: a greylisting server is retried soon, a broken one rarely."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


@dataclass(frozen=True)
class Settlement:
    """The row's next state after one attempt, as `newsmon.store.delivery.finish` records it."""

    status: DeliveryStatus
    error: str | None
    retry_at: datetime | None = None  # pending rows only: not before this time


def settle(
    result: SendResult, *, attempts: int, max_attempts: int, now: datetime, back_off: bool = True
) -> Settlement:
    """Sent stays sent; a transient failure is tried again (after `retry_delay` when `back_off`, else at the
    next run) until `attempts` reaches `max_attempts`; a permanent refusal fails at once."""
    if result.kind == SendKind.SENT:
        return Settlement(DeliveryStatus.SENT, result.error)
    if result.kind == SendKind.TRANSIENT and attempts < max_attempts:
        retry_at = now + retry_delay(attempts) if back_off else None
        return Settlement(DeliveryStatus.PENDING, result.error, retry_at)
    error = result.error
    if result.kind == SendKind.TRANSIENT:
        error = f"gave up after {attempts} attempts: {error}"
    return Settlement(DeliveryStatus.FAILED, error)
