"""Readout pictures: an A/B/n readout, a blocked one and a bandit's are written as PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
from tests.marketing.experiments.shop import DAY, T0, experiment, exposures, purchases

from recmind.data.store import Store
from recmind.marketing.experiments.exposures import Exposure, log_exposure
from recmind.marketing.experiments.plot import readout_plot
from recmind.marketing.experiments.readout import compute_readout


def _png(path: Path) -> tuple[int, int]:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = matplotlib.image.imread(path).shape
    return width, height


def test_ab_and_blocked_readouts(store: Store, tmp_path: Path) -> None:
    found = experiment(store, variants=[{"name": "control"}, {"name": "short"}, {"name": "long"}])
    exposures(store, "subjects", [(f"c{n}", "control", T0) for n in range(200)])
    exposures(store, "subjects", [(f"s{n}", "short", T0) for n in range(200)])
    exposures(store, "subjects", [(f"l{n}", "long", T0) for n in range(200)])
    exposures(store, "subjects", [(f"h{n}", "holdout", T0) for n in range(20)])
    purchases(store, [(f"s{n}", T0 + DAY, 20.0) for n in range(30)])
    purchases(store, [(f"c{n}", T0 + DAY, 20.0) for n in range(12)])
    readout = compute_readout(store, found, now=T0 + 10 * DAY)
    assert not readout.blocked
    assert _png(readout_plot(readout, tmp_path / "ab.png")) == (1400, 420)
    exposures(store, "subjects", [(f"x{n}", "short", T0) for n in range(200)])
    blocked = compute_readout(store, found, now=T0 + 10 * DAY)
    assert blocked.blocked
    assert _png(readout_plot(blocked, tmp_path / "sub" / "blocked.png")) == (1400, 420)


def test_bandit_readout(store: Store, tmp_path: Path) -> None:
    found = experiment(store, kind="bandit", metrics={"window_days": 1})
    for n in range(60):
        variant = "control" if n % 3 else "short"
        log_exposure(
            store,
            Exposure(f"e{n}", "subjects", f"k{n}", f"u{n}", variant, T0, 0.5, None),
        )
    purchases(store, [(f"u{n}", T0 + 10, 5.0) for n in range(0, 60, 4)])
    readout = compute_readout(store, found, now=T0 + 2 * DAY)
    assert readout.off_policy
    assert _png(readout_plot(readout, tmp_path / "bandit.png")) == (1400, 420)
