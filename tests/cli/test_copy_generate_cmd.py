"""``recmind copy brand|facts|keywords|generate`` through the real command on a SQLite
store: the brand profile set and shown, facts built, keywords per product, copy written
(the template without a model; the smallest real model with one), mistakes named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.marketing.copy.shop import build_shop
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.copy.brand import stored_brand
from recmind.text.claims import check


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path, settings: Settings) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.from_url(url) as store:
        store.migrate()
        build_shop(store)
    return url


def test_brand_set_and_show(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, out = run("copy", "brand", "show", "--db", url, "--json")
    assert code == 0, out
    assert json.loads(out)["stored"] is False
    code, out = run(
        "copy", "brand", "set", "--db", url, "--name", "Harbor & Pine", "--tone", "calm",
        "--avoid", "cheap", "--avoid", "amazing", "--policy", "returns_days=30",
        "--policy", "free_returns=true", "--language", "zh", "--json",
    )  # fmt: skip
    assert code == 0, out
    body = json.loads(out)
    assert body["avoid"] == ["cheap", "amazing"]
    assert body["policies"] == {"returns_days": 30, "free_returns": True}
    with Store.from_url(url) as store:
        found = stored_brand(store)
    assert found is not None and found[0].language == "zh"
    code, out = run("copy", "brand", "set", "--db", url, "--language", "fr")
    assert code == 2 and "language" in out
    code, out = run("copy", "brand", "show", "--db", url)
    assert code == 0 and "Harbor & Pine" in out and "calm" in out


def test_generate_without_a_model_is_the_checked_template(db: str) -> None:
    code, out = run(
        "copy", "generate", "--type", "email", "--user", "maya", "--no-llm", "--db", db,
        "--discount", "15", "--code", "WOOL15", "--ends", "2025-06-30", "--json",
    )  # fmt: skip
    assert code == 0, out
    body = json.loads(out)
    assert body["source"] == "fallback" and body["language"] == "en" and body["attempts"] == 0
    assert body["parts"]["body"].startswith("Hi Maya,")
    assert "WOOL15" in body["parts"]["preheader"]
    assert all(c["supported"] for c in body["claims"])
    code, out = run(
        "copy", "generate", "--type", "sms", "--user", "li", "--no-llm", "--db", db, "--json"
    )
    assert code == 0, out
    assert json.loads(out)["language"] == "zh"  # the person's language
    code, out = run(
        "copy", "generate", "--type", "ad", "--item", "tee", "--lang", "zh", "--no-llm", "--db", db
    )
    assert code == 0 and "Organic Cotton Tee" in out, out


def test_generate_with_the_smallest_model(db: str) -> None:
    code, out = run(
        "copy", "generate", "--type", "slogan", "--item", "sweater", "--db", db, "--json",
        "--model", "smollm2-135m", "--threads", "1", "--timeout", "60",
    )  # fmt: skip
    assert code == 0, out
    body = json.loads(out)
    assert body["source"] in ("llm", "fallback") and body["attempts"] >= 1
    assert body["model"].startswith("SmolLM2") or body["model"].startswith("smollm2")
    assert check(body["parts"]["text"], {"brand": "Harbor & Pine", "items": [
        {"item_id": "sweater", "title": "Merino Crew Sweater", "price": 89.0, "stock": 4}
    ]}).ok  # fmt: skip


def test_mistakes_are_named(db: str) -> None:
    code, out = run("copy", "generate", "--type", "poem", "--db", db, "--no-llm")
    assert code == 2 and "--type must be one of" in out
    code, out = run("copy", "generate", "--type", "ad", "--item", "nope", "--db", db, "--no-llm")
    assert code == 2 and "no item 'nope'" in out
    code, out = run("copy", "generate", "--type", "review-reply", "--db", db, "--no-llm")
    assert code == 2 and "--review" in out
    code, out = run(
        "copy", "generate", "--type", "email", "--code", "bad code!", "--db", db, "--no-llm"
    )
    assert code == 2 and "offer" in out


def test_review_reply_and_keywords(db: str) -> None:
    code, out = run(
        "copy",
        "generate",
        "--type",
        "review-reply",
        "--review",
        "r2",
        "--no-llm",
        "--db",
        db,
        "--json",
    )
    assert code == 0, out
    body = json.loads(out)
    assert body["language"] == "zh" and "抱歉" in body["parts"]["text"]  # a 2-star review
    code, out = run("copy", "keywords", "--item", "sweater", "--db", db, "--json")
    assert code == 0, out
    (row,) = json.loads(out)
    assert row["item_id"] == "sweater" and row["title"] == "Merino Crew Sweater"
    assert row["keywords"] and all(k["phrase"] for k in row["keywords"])
    code, out = run("copy", "facts", "build", "--no-llm", "--db", db, "--json")
    assert code == 0, out
    report = json.loads(out.strip().splitlines()[-1])
    assert report["written"].get("sentiment") == 2
