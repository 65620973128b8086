"""Rank scores (RFM quintiles, the predicted-spend decile) as SQL conditions, without
ranking every row.

The score of a value ``v`` among ``N`` ranked rows is ``1 + tiles * c(v) // N`` where
``c(v)`` counts the rows strictly before ``v`` in the order (ties share a score). So
``score >= s`` exactly when ``c(v) >= k = ceil((s - 1) * N / tiles)``, that is when ``v``
comes strictly after the ``k``-th value in that order: one ``ORDER BY ... LIMIT 1 OFFSET
k - 1`` cut per threshold (evaluated once per query, an index walk where the column is
indexed) instead of a window function over every row joined back to every customer.
Every comparison of a score (``=``, ``between``, ``in`` ...) is built from such
thresholds; a person outside the ranked population has no score.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select

from recmind.data.schema import customer_features, customer_predictions
from recmind.marketing.segments.catalogue import SCORES


class ScoreConditions:
    """``score OP value`` for one score field over its joined table alias."""

    def __init__(self, name: str, joined: Any) -> None:
        table_name, self.column, self.order, self.tiles, _ = SCORES[name]
        self.source = customer_features if table_name == "features" else customer_predictions
        self.buyers_only = table_name == "features"
        self.joined = joined

    def _population(self, table: Any) -> list[ColumnElement[bool]]:
        found = [table.c[self.column].is_not(None)]
        if self.buyers_only:
            found.append(table.c.order_count >= 1)
        return found

    def member(self) -> ColumnElement[bool]:
        """The person has a score (is in the ranked population)."""
        return func.coalesce(and_(*self._population(self.joined)), false())

    def at_least(self, score: int) -> ColumnElement[bool]:
        """``score >= s``."""
        if score <= 1:
            return self.member()
        if score > self.tiles:
            return false()
        source = self.source
        value = source.c[self.column]
        ranked = select(func.count()).select_from(source).where(*self._population(source))
        # k - 1 = ceil((s - 1) * N / tiles) - 1 = ((s - 1) * N - 1) // tiles for N >= 1; with
        # no ranked row it is -1 // tiles, which SQL's truncating division makes 0 (and the
        # cut is then NULL): never a negative OFFSET.
        offset = ((score - 1) * ranked.scalar_subquery() - 1) // self.tiles
        ordering = value.desc() if self.order == "desc" else value.asc()
        cut = (
            select(value)
            .where(*self._population(source))
            .order_by(ordering)
            .limit(1)
            .offset(offset)
            .scalar_subquery()
        )
        mine = self.joined.c[self.column]
        beyond = mine < cut if self.order == "desc" else mine > cut
        return and_(self.member(), func.coalesce(beyond, false()))

    def equals(self, value: float) -> ColumnElement[bool]:
        if not float(value).is_integer():
            return false()
        score = int(value)
        return and_(self.at_least(score), not_(self.at_least(score + 1)))

    def condition(self, op: str, value: Any) -> ColumnElement[bool]:
        """``score OP value`` (two-valued: false for people without a score)."""
        if op == "is set":
            return self.member()
        if op == "is not set":
            return not_(self.member())
        if op == "=":
            return self.equals(value)
        if op == "!=":
            return and_(self.member(), not_(self.equals(value)))
        if op in ("in", "not in"):
            anyof = or_(false(), *(self.equals(v) for v in value))
            return anyof if op == "in" else and_(self.member(), not_(anyof))
        if op == ">=":
            return self.at_least(math.ceil(value))
        if op == ">":
            return self.at_least(math.floor(value) + 1)
        if op == "<":
            return and_(self.member(), not_(self.at_least(math.ceil(value))))
        if op == "<=":
            return and_(self.member(), not_(self.at_least(math.floor(value) + 1)))
        assert op == "between"
        low, high = value
        return and_(
            self.member(),
            self.at_least(math.ceil(low)),
            not_(self.at_least(math.floor(high) + 1)),
        )
