"""The SMTP side of delivery: where the server is (`SmtpConfig`) and one reusable connection (`SmtpSession`).

The library never reads Airflow connections; the Airflow side turns its SMTP connection into an
`SmtpConfig`, the CLI builds one from a URL. `SmtpSession` opens one connection lazily and keeps it for
every message of a run, and turns what the server says into a `SendResult` whose kind tells the caller
what to do: `sent`, `transient` (try again later) or `permanent` (the server will never accept it).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import StrEnum
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)

_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_ssl: bool = False
    starttls: bool = False
    from_email: str = "newsmon@localhost"
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """`smtp://user:pass@host:port?starttls=1&from=alerts@example.org&timeout=10`; `smtps://` means
        TLS from the first byte (port 465 unless given). User and password are percent-decoded."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(
                f"SMTP URL must start with smtp:// or smtps://, not {parts.scheme or 'nothing'}://"
            )
        if not parts.hostname:
            raise ValueError("SMTP URL has no host")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        use_ssl = parts.scheme == "smtps" or query.get("ssl", "").lower() in _TRUE
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if use_ssl else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_ssl=use_ssl,
            starttls=not use_ssl and query.get("starttls", "").lower() in _TRUE,
            from_email=query.get("from") or cls.from_email,
            timeout=float(query.get("timeout") or cls.timeout),
        )


class SendKind(StrEnum):
    """What the server's answer means for the message."""

    SENT = "sent"
    TRANSIENT = "transient"  # try again later
    PERMANENT = "permanent"  # the server will never accept it


@dataclass(frozen=True)
class SendResult:
    """What became of one message. `refused` lists recipients the server turned down while accepting the
    message for the others (the message still counts as sent)."""

    kind: SendKind
    error: str | None = None
    refused: tuple[str, ...] = ()


class SmtpUnavailable(Exception):
    """No connection to the server could be made (or it would not let us log in): nothing was sent."""


def _describe(code: int | str, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}".strip()


def _kind(code: int) -> SendKind:
    """RFC 5321: 5xx means "do not repeat as is", 4xx "try again later"; anything odd we retry."""
    return SendKind.PERMANENT if 500 <= code < 600 else SendKind.TRANSIENT


def _refused(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr}: {_describe(code, msg)}" for addr, (code, msg) in sorted(refused.items()))


class SmtpSession:
    """One SMTP connection for many messages, opened on first use and reopened once if the server drops it.

    `connections` counts how many were opened, which the benchmark reports (it should be 1 per run).
    """

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.connections = 0
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()

    def connect(self) -> None:
        """Open the connection if it is not open; raise SmtpUnavailable with the reason if it cannot be."""
        if self._client is not None:
            return
        cfg = self.config
        where = f"{cfg.host}:{cfg.port}"
        client: smtplib.SMTP | None = None
        try:
            if cfg.use_ssl:
                client = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            client.ehlo_or_helo_if_needed()
            if cfg.starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if cfg.username:
                client.login(cfg.username, cfg.password or "")
        except smtplib.SMTPResponseException as exc:
            _quietly_close(client)
            raise SmtpUnavailable(f"SMTP {where}: {_describe(exc.smtp_code, exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            _quietly_close(client)
            reason = "timed out" if isinstance(exc, socket.timeout) else (str(exc) or type(exc).__name__)
            raise SmtpUnavailable(f"SMTP {where}: {reason}") from exc
        self._client = client
        self.connections += 1
        log.debug("connected to SMTP %s (connection %d)", where, self.connections)

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> SendResult:
        """Hand one message to the server. Raises SmtpUnavailable only when no connection can be opened;
        every answer of a connected server becomes a SendResult."""
        self.connect()
        assert self._client is not None
        try:
            refused = self._client.send_message(
                message, from_addr=self.config.from_email, to_addrs=list(recipients)
            )
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            permanent = codes and all(_kind(c) == SendKind.PERMANENT for c in codes)
            kind = SendKind.PERMANENT if permanent else SendKind.TRANSIENT
            return SendResult(kind, f"recipients refused: {_refused(exc.recipients)}")
        except smtplib.SMTPServerDisconnected as exc:
            # Whether the server kept the message is unknown; the stable Message-ID covers a resend.
            self._drop()
            return SendResult(SendKind.TRANSIENT, f"server disconnected: {exc}")
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, ...
            return SendResult(_kind(exc.smtp_code), _describe(exc.smtp_code, exc.smtp_error))
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            return SendResult(SendKind.TRANSIENT, f"{type(exc).__name__}: {exc}")
        if refused:
            return SendResult(
                SendKind.SENT, f"some recipients refused: {_refused(refused)}", tuple(sorted(refused))
            )
        return SendResult(SendKind.SENT)

    def _drop(self) -> None:
        client, self._client = self._client, None
        _quietly_close(client)


def _quietly_close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(OSError):
            client.close()
