"""The portrait cache: one file per person, a guarded write, erasure."""

from __future__ import annotations

from pathlib import Path

from recmind.profiles.cache import PortraitCache


def test_write_read_texts_and_forget(tmp_path: Path) -> None:
    cache = PortraitCache(tmp_path)
    assert cache.read("u1") is None and cache.texts("u1") == [] and cache.forget("u1") == 0
    assert cache.write("u1", "facts-1", "Loves maps.")
    entry = cache.read("u1")
    assert entry is not None and (entry["facts"], entry["text"]) == ("facts-1", "Loves maps.")
    assert [t["text"] for t in cache.texts("u1")] == ["Loves maps."]
    assert cache.read("u2") is None
    assert cache.forget("u1") == 1 and cache.read("u1") is None
    assert not list(tmp_path.glob("*.json"))


def test_a_refused_write_stores_nothing(tmp_path: Path) -> None:
    cache = PortraitCache(tmp_path)
    asked: list[bool] = []

    def erased() -> bool:
        asked.append(True)
        return False

    assert not cache.write("u1", "f", "Loves maps.", allowed=erased)
    assert asked == [True] and cache.read("u1") is None
    assert not list(tmp_path.glob("*.json")) and not list(tmp_path.glob(".*.tmp"))


def test_a_damaged_or_foreign_entry_reads_as_none(tmp_path: Path) -> None:
    cache = PortraitCache(tmp_path)
    cache.write("u1", "f", "x")
    (path,) = tmp_path.glob("*.json")
    path.write_text("{broken")
    assert cache.read("u1") is None
    path.write_text('{"user_id": "someone-else", "text": "x"}')
    assert cache.read("u1") is None
