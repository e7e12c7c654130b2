"""One rendered email as a MIME message: multipart/alternative with the plain text first and HTML second
(clients show the last part they understand), the alert's stable Message-ID, and headers that stop
auto-responders from answering a machine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from newsmon.alerts.render import RenderedAlert, one_line


def build_message(
    rendered: RenderedAlert,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = one_line(rendered.subject)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = rendered.message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    for name, value in (headers or {}).items():
        msg[name] = one_line(value)
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


def recipients_of(addresses: Sequence[str]) -> list[str]:
    """A topic's recipients as one email goes to them: trimmed, blanks dropped, each address once (compared
    without case, as mail servers treat them in practice; the first spelling is kept)."""
    seen: dict[str, str] = {}
    for raw in addresses:
        address = (raw or "").strip()
        if address:
            seen.setdefault(address.lower(), address)
    return list(seen.values())
