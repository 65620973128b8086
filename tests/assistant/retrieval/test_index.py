"""The persisted index: versions, reload, incremental rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.assistant.retrieval.shop import fill_shop, set_item

from recmind.assistant.retrieval import IndexMissingError, Retriever, load_index, reindex
from recmind.assistant.retrieval.index import KEEP_VERSIONS, latest_version
from recmind.data.store import Store


def test_the_index_persists_reloads_and_rebuilds_incrementally(
    sqlite_store: Store, tmp_path: Path
) -> None:
    root = tmp_path / "index"
    with pytest.raises(IndexMissingError, match="recmind kb index"):
        load_index(root)
    fill_shop(sqlite_store, tmp_path / "q")
    first = reindex(sqlite_store, root=root)
    assert first.written and first.counts == {"product": 12, "review": 6, "policy": 42}
    assert first.added == 60 and first.encoded == 60
    built = load_index(root)
    assert built.version == first.version == latest_version(root)
    kept = (root / built.version / "documents.jsonl").read_text(encoding="utf-8")
    assert "Softest merino" not in kept and "桑蚕丝" not in kept  # no text on disk
    hits = Retriever(sqlite_store, built).search("merino", top=2)
    again = Retriever(sqlite_store, load_index(root)).search("merino", top=2)
    assert [h.id for h in hits] == [h.id for h in again]

    same = reindex(sqlite_store, root=root)
    assert not same.written and same.version == first.version
    assert same.unchanged == 60 and same.encoded == 0

    set_item(sqlite_store, tmp_path, "t-tee", title="Striped Linen Breton Tee")
    set_item(sqlite_store, tmp_path, "j-denim", price=10.0)  # price: not in the text
    changed = reindex(sqlite_store, root=root)
    assert changed.written and changed.version != first.version
    assert (changed.changed, changed.added, changed.encoded) == (1, 0, 1)
    assert load_index(root).documents[load_index(root).rows["product:t-tee"]].title == (
        "Striped Linen Breton Tee"
    )
    full = reindex(sqlite_store, root=root, full=True)
    assert full.written and full.encoded == 60
    for _ in range(KEEP_VERSIONS):
        reindex(sqlite_store, root=root, full=True)
    kept = [p.name for p in root.iterdir() if p.name.startswith("v")]
    assert len(kept) == KEEP_VERSIONS and latest_version(root) in kept
