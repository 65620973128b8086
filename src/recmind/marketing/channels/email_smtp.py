"""The email channel: SMTP (smtplib) over several open connections, with the hand-off just
before the final dot.

**Why the order matters.** A server takes a message when it reads the line ``.`` that ends
DATA; until then it discards everything if the connection drops. So, for each message::

    MAIL FROM, RCPT TO, DATA, the whole body    (row: sending)
    commit the row as handoff                   (row: handoff, durable)
    send the final "."                          (the server takes it)
    read the reply -> sent | retry (4xx) | dead (5xx)

If the worker dies before the hand-off commit, the server has discarded the unfinished
message and the row, still ``sending``, is claimed again once its claim expires: it is sent
once. If it dies after the commit, the row is ``handoff`` and recovery counts it as sent
without sending it again: once, provided the dot left. The one window neither side can see
is between the commit and the dot (the commit is written without waiting for the disk, and
the dots of a round are the next thing sent: tens of microseconds, about 2% of a worker's
time at loopback speed); a death exactly there loses that round's messages rather than
duplicating them. ``docs/outbox.md`` has the whole argument and the measurements. A worker
whose claim was taken over (it stalled past ``claimed_until``) gets those rows back from the
hand-off as not-ours and closes their connections without the dot, so the server discards
them.

**Throughput.** ``marketing.smtp.connections`` connections stay open for the batch; the
messages advance through them in lock-step rounds (every connection's MAIL, then every reply;
RCPT; DATA; bodies; one hand-off commit for the round; every dot; every reply), so each round
trip is paid once per round, not once per message, and the server works on all of them at
once. A server that offers PIPELINING (RFC 2920) gets MAIL, RCPT and DATA in one write.

**Replies.** 2xx: sent. 4xx, a refused connection, a timeout or a broken connection before
the dot: retry with back-off. 5xx to RCPT: the address is refused for good (``bounced``: the
message is dead and the person is suppressed on email). Other 5xx: dead. No reply after the
dot: counted as sent (the server may have it; resending could duplicate).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from recmind.config import Settings
from recmind.marketing.channels.base import Handoff, Outcome, OutcomeKind, register_channel
from recmind.marketing.channels.email_mime import (
    AddressError,
    DkimKey,
    build_email,
    check_address,
    dot_stuffed,
)

NAME = "email"
ERRORS = (OSError, smtplib.SMTPException, UnicodeError)
"""What a broken, refused or timed-out connection raises (``socket.timeout`` is an OSError)."""
NO_REPLY = "no reply to the end of DATA: counted as delivered (the server may have it), not resent"


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(message.split())}".strip()


@dataclass
class _Connection:
    """One SMTP connection, opened on first use and kept for the session."""

    settings: Settings
    smtp: smtplib.SMTP | None = None
    needs_reset: bool = False
    pipelining: bool = False

    def open(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        config = self.settings.marketing.smtp
        context = None
        if config.ssl or config.starttls:
            cafile = None if config.tls_ca_file is None else str(config.tls_ca_file)
            context = ssl.create_default_context(cafile=cafile)
        smtp: smtplib.SMTP
        if config.ssl:
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout_seconds, context=context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
        try:
            # Commands and the final dot are small writes that wait for a reply: without
            # TCP_NODELAY, Nagle's algorithm holds each one for the previous write's ACK.
            if smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo()
            if config.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password)
        except BaseException:
            smtp.close()
            raise
        self.smtp, self.needs_reset = smtp, False
        self.pipelining = smtp.has_extn("pipelining")
        return smtp

    def drop(self) -> None:
        """Close without QUIT: a DATA in progress is discarded by the server."""
        if self.smtp is not None:
            self.smtp.close()
        self.smtp = None

    def quit(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except ERRORS:
            self.smtp.close()
        self.smtp = None


@dataclass
class _Slot:
    """One message on one connection during a round."""

    connection: _Connection
    message_id: str
    recipient: str
    data: bytes
    outcome: Outcome | None = None
    commands: list[tuple[str, str, tuple[int, ...]]] = field(default_factory=list)

    def fail(self, kind: OutcomeKind, detail: str | None) -> None:
        self.outcome = Outcome(self.message_id, kind, detail)

    @property
    def live(self) -> bool:
        return self.outcome is None


class EmailSession:
    """The open connections of one worker's batch (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        count = settings.marketing.smtp.connections
        self.connections = [_Connection(settings) for _ in range(count)]
        self.dkim = DkimKey.from_settings(settings)

    def deliver(
        self, rows: Sequence[Mapping[str, Any]], handoff: Handoff, *, now: float
    ) -> Iterator[Outcome]:
        ready: list[tuple[str, str, bytes]] = []
        for row in rows:
            message_id = str(row["message_id"])
            try:
                recipient = check_address(row.get("recipient"))
                data = build_email(row, self.settings, now=now, dkim_key=self.dkim)
            except AddressError as exc:
                yield Outcome(message_id, "dead", str(exc))
                continue
            except Exception as exc:  # one message that cannot be built stops nothing else
                yield Outcome(message_id, "dead", f"cannot build the message: {exc}")
                continue
            ready.append((message_id, recipient, dot_stuffed(data)))
        width = len(self.connections)
        for start in range(0, len(ready), width):
            batch = ready[start : start + width]
            slots = [
                _Slot(connection, *message)
                for connection, message in zip(self.connections, batch, strict=False)
            ]
            yield from self._round(slots, handoff)

    def close(self) -> None:
        for connection in self.connections:
            connection.quit()

    # --- one round: every connection advances one message through the same steps ------

    def _round(self, slots: list[_Slot], handoff: Handoff) -> Iterator[Outcome]:
        for slot in slots:
            try:
                slot.connection.open()
            except ERRORS as exc:
                slot.connection.drop()
                slot.fail("retry", f"cannot connect to the SMTP server: {exc}")
        sender = self.settings.marketing.smtp.sender
        for slot in slots:
            mail = ("mail", f"FROM:<{sender}>", (250,))
            rcpt = ("rcpt", f"TO:<{slot.recipient}>", (250, 251))
            data = ("data", "", (354,))
            reset = [("rset", "", (250,))] if slot.connection.needs_reset else []
            slot.commands = [*reset, mail, rcpt, data]
        if all(s.connection.pipelining for s in slots if s.live):
            self._phase(slots, max(len(s.commands) for s in slots))
        else:
            while any(s.live and s.commands for s in slots):
                self._phase(slots, 1)
        live = [s for s in slots if s.live]
        for slot in live:
            try:
                self._smtp(slot).send(slot.data)
            except ERRORS as exc:
                slot.connection.drop()
                slot.fail("retry", f"the connection broke during DATA: {exc}")
        live = [s for s in slots if s.live]
        if live:
            self._hand_over(live, handoff)
        for slot in live:
            if not slot.live:
                continue
            try:
                code, text = self._smtp(slot).getreply()
            except ERRORS:
                slot.connection.drop()
                slot.fail("sent", NO_REPLY)
                continue
            slot.connection.needs_reset = False  # the end of DATA ends the transaction
            slot.fail(*_classify(code, text, refused="dead", success="sent"))
        for slot in slots:
            assert slot.outcome is not None
            yield slot.outcome

    def _hand_over(self, live: list[_Slot], handoff: Handoff) -> None:
        """Hand the round off, then send every owned message's final dot at once."""
        try:
            handover = handoff([s.message_id for s in live])
            try:
                owned = [s for s in live if s.message_id in handover.owned]
                sockets = [
                    (s, s.connection.smtp.sock)
                    for s in owned
                    if s.connection.smtp is not None and s.connection.smtp.sock is not None
                ]
            except BaseException:
                handover.abort()
                raise
            handover.commit()
        except BaseException:
            # No hand-off (or one whose commit may not have happened): no dot, so the
            # server discards these; the rows are retried, or recovered if it did commit.
            for slot in live:
                slot.connection.drop()
            raise
        # The window recovery cannot see into ends when these dots have left: nothing else
        # happens between the commit and the last of them.
        for slot, sock in sockets:
            try:
                sock.sendall(b".\r\n")
            except OSError as exc:
                slot.connection.drop()
                slot.fail("retry", f"the connection broke before the end of DATA: {exc}")
        handover.confirm()
        for slot in live:
            if slot.message_id not in handover.owned:
                slot.connection.drop()
                slot.fail("abandoned", "the claim was taken over before the hand-off")

    def _smtp(self, slot: _Slot) -> smtplib.SMTP:
        if slot.connection.smtp is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        return slot.connection.smtp

    def _phase(self, slots: list[_Slot], count: int) -> None:
        """Write the next ``count`` commands of every live slot, then read their replies."""
        sent: list[tuple[_Slot, list[tuple[str, str, tuple[int, ...]]]]] = []
        for slot in slots:
            if not slot.live or not slot.commands:
                continue
            commands, slot.commands = slot.commands[:count], slot.commands[count:]
            try:
                smtp = self._smtp(slot)
                smtp.send("".join(f"{c} {a}".rstrip() + "\r\n" for c, a, _ in commands))
            except ERRORS as exc:
                slot.connection.drop()
                slot.fail("retry", f"the SMTP connection broke: {exc}")
                continue
            sent.append((slot, commands))
        for slot, commands in sent:
            for command, _arg, expected in commands:
                try:
                    code, text = self._smtp(slot).getreply()
                except ERRORS as exc:
                    slot.connection.drop()
                    slot.fail("retry", f"the SMTP connection broke: {exc}")
                    break
                if code in expected:
                    if command == "mail":
                        slot.connection.needs_reset = True
                    elif command == "rset":
                        slot.connection.needs_reset = False
                    continue
                if slot.live:
                    refused: OutcomeKind = "bounced" if command == "rcpt" else "dead"
                    slot.fail(*_classify(code, text, refused=refused, success="retry"))
                if code == 354:  # DATA accepted after an earlier refusal: never finish it
                    slot.connection.drop()
                    break


def _classify(
    code: int, text: bytes, *, refused: OutcomeKind, success: OutcomeKind
) -> tuple[OutcomeKind, str | None]:
    """``(outcome kind, detail)`` of an SMTP reply: 2xx ``success``, 5xx ``refused``, other
    codes (4xx, or nonsense) retry."""
    detail = _reply(code, text)
    if 200 <= code < 300:
        return success, None
    if 500 <= code < 600:
        return refused, detail
    return "retry", detail


@register_channel(NAME)
def open_email(settings: Settings) -> EmailSession:
    return EmailSession(settings)
