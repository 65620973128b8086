"""Fixtures of the marketing tests: a recording SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.marketing.smtp_server import SmtpServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1 that records every message
    it accepts (``server.messages``, ``server.count_by_key()``); see ``smtp_server.py``."""
    server = SmtpServer().start()
    yield server
    server.stop()
