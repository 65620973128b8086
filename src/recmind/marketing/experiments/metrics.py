"""Each arm's sufficient statistics, aggregated in the store.

For every logged exposure (an A/B test logs one per person, at their first assignment):

* converted: the person had the experiment's conversion event within ``window_days``
  after the exposure (strictly after it);
* ``y``, revenue: the sum of their purchases in that window, each the event's ``value``,
  else the item's catalogue price, else 0 (as attribution and customer features count it);
* ``x``, pre-period revenue: the same sum over the ``pre_period_days`` up to the exposure
  (the CUPED covariate: it happened before the experiment could touch it).

One grouped query returns, per variant, the count, conversions and the sums of ``y``,
``y^2``, ``x``, ``x^2`` and ``x*y``: everything the frequentist and Bayesian readouts need.
"""

from __future__ import annotations

from sqlalchemy import text

from recmind.data.store import Store
from recmind.marketing.experiments.exposures import DAY
from recmind.marketing.experiments.repository import Experiment
from recmind.marketing.experiments.stats.frequentist import ArmStats

_REVENUE = """COALESCE((
    SELECT SUM(COALESCE(e.value, i.price, 0)) FROM events e
    LEFT JOIN items i ON i.item_id = e.item_id
    WHERE e.user_id = ex.user_id AND e.event_type = 'purchase'
      AND e.timestamp > {low} AND e.timestamp <= {high}), 0)"""

ARMS_SQL = f"""
SELECT t.variant, COUNT(*) AS n, SUM(t.converted) AS conversions,
       SUM(t.y) AS sum_y, SUM(t.y * t.y) AS sum_y2, SUM(t.x) AS sum_x,
       SUM(t.x * t.x) AS sum_x2, SUM(t.x * t.y) AS sum_xy
FROM (
    SELECT ex.variant,
           CASE WHEN EXISTS (
               SELECT 1 FROM events e
               WHERE e.user_id = ex.user_id AND e.event_type = :event
                 AND e.timestamp > ex.at AND e.timestamp <= ex.at + :window
           ) THEN 1 ELSE 0 END AS converted,
           {_REVENUE.format(low="ex.at", high="ex.at + :window")} AS y,
           {_REVENUE.format(low="ex.at - :pre", high="ex.at")} AS x
    FROM experiment_exposures ex
    WHERE ex.experiment_id = :experiment AND ex.at <= :until
) t
GROUP BY t.variant
"""


def arm_statistics(store: Store, experiment: Experiment, *, until: float) -> dict[str, ArmStats]:
    """``variant -> ArmStats`` of the exposures logged up to ``until`` (every variant of
    the experiment present, empty ones with zeros; ``holdout`` when anyone is in it)."""
    metrics = experiment.metrics
    params = {
        "experiment": experiment.experiment_id,
        "event": metrics.conversion_event,
        "window": metrics.window_days * DAY,
        "pre": metrics.pre_period_days * DAY,
        "until": until,
    }
    found: dict[str, ArmStats] = {}
    with store.engine.connect() as connection:
        for row in connection.execute(text(ARMS_SQL), params):
            found[str(row.variant)] = ArmStats(
                name=str(row.variant),
                n=int(row.n),
                conversions=int(row.conversions or 0),
                sum_y=float(row.sum_y or 0),
                sum_y2=float(row.sum_y2 or 0),
                sum_x=float(row.sum_x or 0),
                sum_x2=float(row.sum_x2 or 0),
                sum_xy=float(row.sum_xy or 0),
            )
    arms = {name: found.pop(name, ArmStats(name, 0, 0)) for name in experiment.names}
    return arms | found
