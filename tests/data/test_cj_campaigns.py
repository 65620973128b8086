"""The Complete Journey campaign tables: counts, id types and the campaign dates as the
half-open moments the targeting benchmark reads them as."""

from __future__ import annotations

import pandas as pd

from recmind.data.cj_campaigns import SECONDS_PER_DAY, load_complete_journey_campaigns


def test_campaign_tables() -> None:
    campaigns = load_complete_journey_campaigns()
    described = campaigns.descriptions
    assert len(described) == 27
    assert described["campaign_type"].value_counts().to_dict() == {"B": 17, "C": 6, "A": 4}
    assert (described["start"].diff().dropna() >= 0).all()  # ordered by start
    first = described.set_index("campaign_id").loc["1"]
    assert pd.Timestamp(first["start"], unit="s") == pd.Timestamp("2017-03-03")
    # campaign 1 runs through 2017-04-09: its end is the next day's midnight (exclusive)
    assert pd.Timestamp(first["end"] - SECONDS_PER_DAY, unit="s") == pd.Timestamp("2017-04-09")
    assert len(campaigns.targets) == 6589
    assert len(campaigns.targeted("1")) == 13
    assert len(campaigns.products("1")) == 383
    assert len(campaigns.coupons) == 116_204 and len(campaigns.redemptions) == 2102
    for frame in (campaigns.targets, campaigns.coupons, campaigns.redemptions):
        assert all(isinstance(v, str) for v in frame["campaign_id"].head())
    starts_after_data = described["start"] > pd.Timestamp("2017-01-01").timestamp()
    kinds = described.loc[starts_after_data, "campaign_type"]
    assert kinds.isin(["B", "C"]).sum() == 20 and (kinds == "A").sum() == 4
