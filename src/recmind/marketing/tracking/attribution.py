"""Conversions attributed to messages (last touch), and the comparison with the holdout.

**Last touch.** A purchase is attributed to the person's latest message delivered (status
``sent`` or ``handoff``; test sends never count) at or before the purchase and no longer than
``attribution_days`` before it, whatever journey or campaign sent it. Its revenue is the
event's ``value``, else the item's catalogue price, else 0 (as customer features count it).

**Against the holdout** (what the messages *added*). For one journey or campaign, people
are split by what happened at the send-time holdout check: the *treated* had a message that
passed it (delivered, capped, failed or still waiting: intention to treat), the *held out*
had one skipped with reason ``holdout``. People refused before the check (no consent,
suppressed, erased) are in neither group, so both groups are "would have been eligible".
Each person's moment is their first such message's ``created_at`` (the same for both groups:
the moment they became eligible); they converted when they bought within
``attribution_days`` after it. The difference of the two conversion rates gets Newcombe's
hybrid score interval (method 10 of Newcombe 1998) built from scipy's Wilson intervals, and
Fisher's exact test its p-value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy.stats import binomtest, fisher_exact
from sqlalchemy import Connection, text

DAY = 86400.0

_SENT = "o.status IN ('sent', 'handoff') AND o.source_kind <> 'test' AND o.sent_at IS NOT NULL"

ATTRIBUTED_SQL = f"""
SELECT o.source_kind, o.source_id,
       COUNT(*) AS purchases,
       COUNT(DISTINCT t.user_id) AS people,
       COALESCE(SUM(t.revenue), 0) AS revenue
FROM (
    SELECT e.user_id, COALESCE(e.value, i.price, 0) AS revenue,
           (SELECT o.message_id FROM outbox o
            WHERE o.user_id = e.user_id AND {_SENT}
              AND o.sent_at <= e.timestamp AND o.sent_at >= e.timestamp - :window
            ORDER BY o.sent_at DESC, o.message_id DESC LIMIT 1) AS message_id
    FROM events e LEFT JOIN items i ON i.item_id = e.item_id
    WHERE e.event_type = 'purchase'
      AND e.user_id IN (SELECT o.user_id FROM outbox o WHERE {_SENT} {{scope}})
      AND e.timestamp >= :since AND e.timestamp <= :until_window
) t
JOIN outbox o ON o.message_id = t.message_id
WHERE o.sent_at >= :since AND o.sent_at <= :until {{scope}}
GROUP BY o.source_kind, o.source_id
"""

_PRE_HOLDOUT = (
    "'erased'",
    "'unknown_person'",
    "'no_consent'",
    "'holdout'",
)
GROUPS_SQL = f"""
SELECT g.arm, COUNT(*) AS people,
       SUM(CASE WHEN EXISTS (
           SELECT 1 FROM events e
           WHERE e.user_id = g.user_id AND e.event_type = 'purchase'
             AND e.timestamp >= g.first_at AND e.timestamp <= g.first_at + :window
       ) THEN 1 ELSE 0 END) AS converted
FROM (
    SELECT o.user_id,
           CASE WHEN MAX(CASE WHEN o.skip_reason = 'holdout' THEN 1 ELSE 0 END) = 1
                THEN 'holdout' ELSE 'treated' END AS arm,
           MIN(o.created_at) AS first_at
    FROM outbox o
    WHERE o.source_kind = :kind AND o.source_id = :source
      AND o.created_at >= :since AND o.created_at <= :until
      AND (o.status <> 'skipped' OR o.skip_reason = 'holdout' OR (
           o.skip_reason NOT IN ({", ".join(_PRE_HOLDOUT)})
           AND o.skip_reason NOT LIKE 'suppressed:%'))
    GROUP BY o.user_id
) g
GROUP BY g.arm
"""


@dataclass(frozen=True)
class Attributed:
    """Purchases attributed (last touch) to one source's messages."""

    purchases: int
    people: int
    revenue: float


@dataclass(frozen=True)
class RateComparison:
    """Conversion of the treated against the held out, with the difference's interval."""

    treated_people: int
    treated_converted: int
    holdout_people: int
    holdout_converted: int
    confidence: float
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None

    @property
    def treated_rate(self) -> float | None:
        return self.treated_converted / self.treated_people if self.treated_people else None

    @property
    def holdout_rate(self) -> float | None:
        return self.holdout_converted / self.holdout_people if self.holdout_people else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "treated": {
                "people": self.treated_people,
                "converted": self.treated_converted,
                "rate": self.treated_rate,
            },
            "holdout": {
                "people": self.holdout_people,
                "converted": self.holdout_converted,
                "rate": self.holdout_rate,
            },
            "difference": self.difference,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "confidence": self.confidence,
            "p_value": self.p_value,
        }


def _wilson(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    interval = binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    return float(interval.low), float(interval.high)


def compare_rates(
    treated: tuple[int, int], holdout: tuple[int, int], confidence: float = 0.95
) -> RateComparison:
    """``treated`` and ``holdout`` as ``(converted, people)``: the difference of rates
    (treated minus held out) with Newcombe's hybrid score interval and Fisher's p-value;
    None where a group is empty."""
    (x1, n1), (x2, n2) = treated, holdout
    if n1 == 0 or n2 == 0:
        return RateComparison(n1, x1, n2, x2, confidence, None, None, None, None)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = _wilson(x1, n1, confidence)
    l2, u2 = _wilson(x2, n2, confidence)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    p_value = float(fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
    return RateComparison(n1, x1, n2, x2, confidence, difference, low, high, p_value)


def _scope(kind: str | None, source: str | None) -> tuple[str, dict[str, Any]]:
    if kind is None:
        return "", {}
    return "AND o.source_kind = :kind AND o.source_id = :source", {
        "kind": kind,
        "source": source,
    }


def attributed(
    connection: Connection,
    *,
    attribution_days: float,
    since: float,
    until: float,
    kind: str | None = None,
    source: str | None = None,
) -> dict[tuple[str, str], Attributed]:
    """``(source_kind, source_id) -> Attributed``: purchases attributed to messages
    delivered between ``since`` and ``until``, optionally of one source only."""
    scope, params = _scope(kind, source)
    window = attribution_days * DAY
    sql = ATTRIBUTED_SQL.format(scope=scope)
    rows = connection.execute(
        text(sql),
        {
            "window": window,
            "since": since,
            "until": until,
            "until_window": until + window,
            **params,
        },
    )
    return {
        (r.source_kind, r.source_id): Attributed(int(r.purchases), int(r.people), float(r.revenue))
        for r in rows
    }


def holdout_comparison(
    connection: Connection,
    kind: str,
    source: str,
    *,
    attribution_days: float,
    since: float,
    until: float,
    confidence: float = 0.95,
) -> RateComparison:
    """The treated and held-out people of one source and their conversion (module docs)."""
    rows = connection.execute(
        text(GROUPS_SQL),
        {
            "kind": kind,
            "source": source,
            "since": since,
            "until": until,
            "window": attribution_days * DAY,
        },
    )
    groups = {r.arm: (int(r.converted or 0), int(r.people)) for r in rows}
    return compare_rates(groups.get("treated", (0, 0)), groups.get("holdout", (0, 0)), confidence)
