"""The global holdout: a stable few percent of people who get no marketing message at all,
so that what marketing adds (incrementality) can be measured against them.

A person's place is a number in [0, 100) drawn from HMAC-SHA256 of their id under the salt
``marketing.holdout_salt``: the same person always gets the same number (no table to keep,
nothing to lose on a restart, every worker agrees), and the numbers are uniform, so the
people below ``holdout_percent`` are that share of everyone. Raising the percentage only
adds people (those already held out stay held out); a new salt draws a new holdout.
"""

from __future__ import annotations

import hashlib
import hmac

from recmind.config import Settings

_SCALE = 100.0 / float(1 << 64)


def holdout_position(user_id: str, salt: str) -> float:
    """The person's stable place in [0, 100)."""
    digest = hmac.new(salt.encode(), str(user_id).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") * _SCALE


def in_holdout(user_id: str, settings: Settings) -> bool:
    """Whether ``user_id`` belongs to the global holdout under ``settings``."""
    percent = settings.marketing.holdout_percent
    if percent <= 0:
        return False
    return holdout_position(user_id, settings.marketing.holdout_salt) < percent
