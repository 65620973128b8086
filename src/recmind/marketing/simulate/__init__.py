"""Offline campaign replay: campaigns sent at moments inside a real dataset's held-out
period, each policy (audience and items) choosing from the past alone, each scored on what
people really bought in the week after (see ``docs/simulation.md``).

:func:`replay` runs it over a :class:`ReplayLog`; :func:`summarise` turns the result into
the JSON the CLI (``recmind simulate campaign``) and ``benchmarks/campaign_replay.py``
write."""

from recmind.marketing.simulate.log import LeakError, Past, ReplayLog
from recmind.marketing.simulate.replay import POLICIES, Replay, ReplayConfig, replay
from recmind.marketing.simulate.summary import summarise

__all__ = [
    "POLICIES",
    "LeakError",
    "Past",
    "Replay",
    "ReplayConfig",
    "ReplayLog",
    "replay",
    "summarise",
]
