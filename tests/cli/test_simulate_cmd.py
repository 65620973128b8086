"""``recmind simulate campaign`` through the real command on a real store (SQLite and
PostgreSQL) holding the replay tests' shop (item-kNN as the personal model, so it runs in
seconds)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.marketing.simulate.replay_shop import FIRST, shop_bundle
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.data.importer import import_bundle
from recmind.data.store import Store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def shop(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with Store.from_url(url) as store:
        store.migrate()
        import_bundle(store, shop_bundle(), quarantine_dir=tmp_path / "quarantine")
    return url


def test_campaign_replay_json_and_plot(store: Store, tmp_path: Path) -> None:
    import_bundle(store, shop_bundle(), quarantine_dir=tmp_path / "quarantine")
    db = store.engine.url.render_as_string(hide_password=False)
    start = datetime.fromtimestamp(FIRST, tz=UTC).date().isoformat()
    out, plot = tmp_path / "out" / "replay.json", tmp_path / "replay.png"
    code, output = run(
        "simulate", "campaign", "--db", db, "--model", "itemknn", "--start", start,
        "--moments", "1", "--k", "3", "--audience-share", "0.3",
        "--policies", "recmind,bestsellers,random", "--json", str(out), "--plot", str(plot),
    )  # fmt: skip
    assert code == 0, output
    assert "lift over best-sellers" in output
    assert "Bar (>= 2x), whole campaign against best-sellers to the" in output
    summary = json.loads(out.read_text())
    assert summary["config"]["k"] == 3
    assert summary["config"]["policies"] == ["recmind", "bestsellers", "random"]
    assert summary["held_out_from"].startswith(start)
    assert len(summary["moments"]) == 1
    assert len(summary["cells"]) == 3 * 3
    sizes = {cell["campaigns"] for cell in summary["cells"]}
    assert sizes == {summary["moments"][0]["audience_size"]}
    assert summary["revenue_in_data"] is True
    assert set(summary["recmind_vs_bestsellers"]) == {"recmind", "recent", "random"}
    bar = summary["bar"]
    assert bar["whole_campaign"]["baseline_audience"] in {"recent", "random"}
    assert bar["items_alone"]["lift"] == summary["recmind_vs_bestsellers"]["recmind"]["conversion"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_campaign_replay_refuses_bad_input(tmp_path: Path) -> None:
    code, output = run("simulate", "campaign")
    assert code == 2
    assert "exactly one of --dataset and --db" in output
    code, output = run("simulate", "campaign", "--dataset", "no-such-set")
    assert code == 2
    assert "unknown dataset" in output
    db = shop(tmp_path)
    code, output = run("simulate", "campaign", "--db", db, "--policies", "recmind,coupons")
    assert code == 2
    assert "--policies: choose from" in output
    code, output = run("simulate", "campaign", "--db", db, "--start", "next week")
    assert code == 2
    assert "--start 'next week'" in output
    code, output = run("simulate", "campaign", "--db", db, "--start", "2030-01-01")
    assert code == 2
    assert "shorter than one 7-day window" in output
