"""Audiences from the recommender: likely buyers of items or a category in the next N
days, and look-alikes of a seed list, as of a moment (only events before it are read).

:func:`find_buyers` / :func:`buyers_from_store` and :func:`lookalikes` /
:func:`lookalikes_from_store` are the entry points; the CLI (``recmind audiences``), the
service and ``benchmarks/audiences_cj.py`` all go through them."""

from recmind.marketing.audiences.audience import Audience, iso_moment
from recmind.marketing.audiences.buyers import BuyersConfig, likely_buyers
from recmind.marketing.audiences.find import (
    buyers_from_store,
    find_buyers,
    lookalikes_from_store,
)
from recmind.marketing.audiences.log import EventLog
from recmind.marketing.audiences.lookalike import LookalikeConfig, SeedError, lookalikes
from recmind.marketing.audiences.targets import TargetError

__all__ = [
    "Audience",
    "BuyersConfig",
    "EventLog",
    "LookalikeConfig",
    "SeedError",
    "TargetError",
    "buyers_from_store",
    "find_buyers",
    "iso_moment",
    "likely_buyers",
    "lookalikes",
    "lookalikes_from_store",
]
