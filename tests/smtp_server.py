"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 that keeps every message it accepts and can refuse
chosen recipients, fail the next messages, or require a password."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from local_servers import free_port as free_port  # the tests import it from here too
from newsmon.alerts.smtp import SmtpConfig


class MailServer:
    """aiosmtpd on 127.0.0.1:<free port>. Recipients whose local part starts with `refuse` get 550, with
    `later` 451; `fail_next_data` makes the next N messages fail with 451 at DATA."""

    def __init__(self, *, password: str | None = None) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.ehlos = 0
        self.fail_next_data = 0
        self._lock = threading.Lock()
        server = self

        class Handler:
            async def handle_EHLO(self, srv, session, envelope, hostname, responses):
                with server._lock:
                    server.ehlos += 1
                session.host_name = hostname
                return responses

            async def handle_RCPT(self, srv, session, envelope, address, rcpt_options):
                local = address.split("@", 1)[0]
                if local.startswith("refuse"):
                    return f"550 5.1.1 <{address}>: no such mailbox here"
                if local.startswith("later"):
                    return "451 4.7.1 greylisted, come back later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, srv, session, envelope):
                with server._lock:
                    if server.fail_next_data:
                        server.fail_next_data -= 1
                        return "451 4.3.0 temporary local problem"
                    server.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                    server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                return "250 OK queued"

        extra = {}
        if password is not None:  # AUTH over plain TCP is fine on 127.0.0.1 in a test

            def authenticator(srv, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
                return AuthResult(success=ok, handled=False)  # False: the server answers 235/535

            extra = {"authenticator": authenticator, "auth_require_tls": False}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port(), **extra)

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        """The server as `NEWSMON_SMTP_URL` spells it."""
        return f"smtp://127.0.0.1:{self.controller.port}"

    @property
    def config(self) -> SmtpConfig:
        return SmtpConfig(
            host="127.0.0.1", port=self.controller.port, from_email="newsmon@test.example", timeout=10
        )

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]
