"""The policy knowledge base in the store: import, replace on change, prune, refusal of
bad files with nothing written, the demo policy set (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recmind.data.kb import (
    DEMO_POLICIES,
    KnowledgeBaseError,
    import_kb,
    kb_passages,
    list_documents,
)
from recmind.data.store import Store

SHIPPING = "# Shipping\n\n## Costs\n\nFree over $75.\n\n## Times\n\n3 to 5 days.\n"
RETURNS = "# Returns\n\n30-day returns.\n"


def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    return folder


def test_import_replace_and_prune(store: Store, tmp_path: Path) -> None:
    folder = _folder(tmp_path, shipping=SHIPPING, returns=RETURNS)
    summary = import_kb(store, folder)
    assert (summary.added, summary.passages_written) == (["returns", "shipping"], 3)
    documents = {d["doc_id"]: d for d in list_documents(store)}
    assert documents["shipping"]["title"] == "Shipping" and documents["shipping"]["passages"] == 2
    before = {p.title: p.passage_id for p in kb_passages(store, "shipping")}
    assert before.keys() == {"Shipping > Costs", "Shipping > Times"}

    again = import_kb(store, folder)
    assert again.unchanged == ["returns", "shipping"] and again.passages_written == 0

    (folder / "shipping.md").write_text(SHIPPING.replace("$75", "$80"), encoding="utf-8")
    changed = import_kb(store, folder)
    assert changed.replaced == ["shipping"] and changed.unchanged == ["returns"]
    after = kb_passages(store, "shipping")
    assert {p.title: p.passage_id for p in after} == before  # replaced, not duplicated
    assert "Free over $80." in [p.body for p in after]
    assert len(kb_passages(store)) == 3

    (folder / "returns.md").unlink()
    kept = import_kb(store, folder)
    assert kept.pruned == [] and len(list_documents(store)) == 2  # without --prune it stays
    pruned = import_kb(store, folder, prune=True)
    assert pruned.pruned == ["returns"]
    assert [d["doc_id"] for d in list_documents(store)] == ["shipping"]
    assert kb_passages(store, "returns") == []


def test_a_bad_file_stops_the_import_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    folder = _folder(tmp_path, shipping=SHIPPING, empty="   \n", nul="# A\n\nx\x00y\n")
    (folder / "latin1.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    with pytest.raises(KnowledgeBaseError) as caught:
        import_kb(store, folder)
    message = str(caught.value)
    for name in ("empty.md: no text", "nul.md: holds NUL", "latin1.md: not UTF-8"):
        assert name in message
    assert "nothing was imported" in message
    assert list_documents(store) == []
    with pytest.raises(KnowledgeBaseError, match="no such folder"):
        import_kb(store, tmp_path / "missing")
    with pytest.raises(KnowledgeBaseError, match=r"no markdown \(\.md\) files"):
        import_kb(store, _folder(tmp_path / "other"))


def test_subfolders_give_path_ids(store: Store, tmp_path: Path) -> None:
    folder = _folder(tmp_path, shipping=SHIPPING)
    (folder / "eu").mkdir()
    (folder / "eu" / "shipping.md").write_text("# EU shipping\n\nTen days.\n", encoding="utf-8")
    import_kb(store, folder)
    assert [d["doc_id"] for d in list_documents(store)] == ["eu/shipping", "shipping"]


def test_the_demo_policy_set(store: Store) -> None:
    names = sorted(p.stem for p in DEMO_POLICIES.glob("*.md"))
    assert names == ["payment", "privacy", "returns", "shipping", "sizing", "warranty"]
    for path in DEMO_POLICIES.glob("*.md"):
        assert "fictional shop" in path.read_text(encoding="utf-8")  # marked as synthetic
    summary = import_kb(store, DEMO_POLICIES)
    assert len(summary.added) == 6 and summary.passages_written >= 30
    passages = kb_passages(store)
    assert all(0 < len(p.body) <= 1200 for p in passages)
    text = " ".join(p.body for p in passages)
    for fact in ("$75", "30 days of delivery", "1 year from the delivery date", "USD"):
        assert fact in text
