"""A real SMTP server on loopback (aiosmtpd in a thread) that records every message it
accepts, for tests of anything that sends email.

``SmtpServer().start()`` listens on a free port of 127.0.0.1; ``server.messages`` is the list
of :class:`ReceivedMessage` (envelope, raw bytes, parsed headers, the recmind idempotency
key), ``server.count_by_key()`` counts them per ``X-Recmind-Idempotency-Key``. Replies can
be scripted per recipient (``refuse_rcpt``: a permanent or temporary refusal of RCPT;
``data_replies``: the replies to the end of DATA, one per attempt) to exercise bounces and
retries; ``handler.pipelining`` offers PIPELINING. With ``tls`` (a certificate and key) the
server offers STARTTLS, or speaks TLS from the first byte with ``implicit_tls``; ``logins``
makes it require AUTH.

The fixture ``smtp_server`` (``tests/marketing/conftest.py``) starts one per test.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

KEY_HEADER = "X-Recmind-Idempotency-Key"


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the server accepted (after the final dot)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    received_at: float
    peer: str

    @property
    def message(self) -> EmailMessage:
        """The whole message, parsed (``email.policy.default``)."""
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def headers(self) -> EmailMessage:
        """The header block alone, parsed (cheap: the body is not read)."""
        head = self.data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
        parsed = email.message_from_bytes(head, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def idempotency_key(self) -> str | None:
        value = self.headers[KEY_HEADER]
        return None if value is None else str(value)


@dataclass
class RecordingHandler:
    """aiosmtpd handler: records accepted messages, answers as scripted."""

    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    """Recipient -> the reply to its RCPT (``"550 5.1.1 no such user"``) on every try."""
    data_replies: dict[str, list[str]] = field(default_factory=dict)
    """Recipient -> replies to the end of DATA, one consumed per attempt; then ``250``."""
    delay_seconds: float = 0.0
    """Wait this long before answering the end of DATA, the message already taken (a
    server slow to reply: the client may give up waiting while the server has it)."""
    pipelining: bool = False
    """Offer PIPELINING (RFC 2920) in the EHLO reply (aiosmtpd reads commands in order)."""
    messages: list[ReceivedMessage] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.refuse_rcpt.get(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        for rcpt in envelope.rcpt_tos:
            queue = self.data_replies.get(rcpt)
            if queue:
                return queue.pop(0)
        data = envelope.original_content or b""
        received = ReceivedMessage(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(data),
            received_at=time.time(),
            peer=str(session.peer),
        )
        key = received.idempotency_key
        with self.lock:
            self.messages.append(received)
            self.keys.append(key)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        return "250 Message accepted for delivery"


class _Authenticator:
    def __init__(self, logins: Mapping[str, str]) -> None:
        self.logins = dict(logins)

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            if self.logins.get(user) == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


class _Controller(Controller):
    """aiosmtpd's controller on a free port (``port=0``: read back after binding)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """A recording SMTP server on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        *,
        tls: tuple[Path, Path] | None = None,
        implicit_tls: bool = False,
        logins: Mapping[str, str] | None = None,
    ) -> None:
        self.handler = RecordingHandler()
        options: dict[str, Any] = {"data_size_limit": 10 * 1024 * 1024}
        context = None
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
        if logins is not None:
            options.update(
                authenticator=_Authenticator(logins),
                auth_require_tls=tls is not None,
                auth_required=True,
            )
        if context is not None and implicit_tls:
            self.controller = _Controller(
                self.handler, hostname="127.0.0.1", port=0, ssl_context=context, **options
            )
        else:
            if context is not None:
                options.update(tls_context=context, require_starttls=True)
            self.controller = _Controller(self.handler, hostname="127.0.0.1", port=0, **options)
        self.host = "127.0.0.1"

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def count_by_key(self) -> Counter[str | None]:
        """How many accepted messages carried each idempotency key."""
        with self.handler.lock:
            return Counter(self.handler.keys)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[ReceivedMessage]:
        """The messages once at least ``count`` have arrived (AssertionError at timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.handler.keys) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.handler.keys)} of {count} messages arrived")
            time.sleep(0.01)
        return self.messages

    def settings(self) -> dict[str, Any]:
        """The ``Settings.marketing.smtp`` values that point at this server."""
        return {"host": self.host, "port": self.port}
