"""Export everything about a user; erase them everywhere, and prove nothing remains: every
table of the store and every file under RECMIND_HOME (caches, quarantine) is searched for
the id afterwards."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import inspect, text
from tests.api.conftest import LiveServer, make_settings, start_server

from recmind.client import Client
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle, import_files
from recmind.erasure import erase_user
from recmind.text.llm.protocol import (
    GenerationError,
    GenerationRequest,
    GenerationResult,
    TextStream,
)

VICTIM = "victim-4242"
BYSTANDER = "bystander-7"


def _populate(live: LiveServer, client: Client, tmp_path: Path) -> None:
    client.put_item("i1", title="Sourdough starter", category="Baking", price=9.5)
    client.put_item("i2", title="Camping stove", category="Camping", price=49.0)
    client.put_user(VICTIM, email="victim@example.com", consent_email=True, timezone="UTC")
    client.put_user(BYSTANDER, email="other@example.com", consent_email=False)
    events = [
        {
            "user_id": VICTIM,
            "item_id": "i1",
            "event_type": "purchase",
            "timestamp": "2024-05-01T10:00:00Z",
        },
        {
            "user_id": VICTIM,
            "event_type": "search",
            "query": "tent for two",
            "timestamp": "2024-05-01T11:00:00Z",
        },
        {
            "user_id": VICTIM,
            "item_id": "i2",
            "event_type": "rating",
            "value": 9,
            "timestamp": "2024-05-02T10:00:00Z",
        },  # rejected: quarantined with the id
        {
            "user_id": BYSTANDER,
            "item_id": "i2",
            "event_type": "view",
            "timestamp": "2024-05-03T10:00:00Z",
        },
    ]
    result = client.send_events(events)
    assert (result.accepted, len(result.rejected)) == (3, 1)
    # A review and a quarantined row from a file import (the importer's own files).
    reviews = pd.DataFrame(
        [
            {
                "review_id": "r1",
                "user_id": VICTIM,
                "item_id": "i1",
                "rating": 5.0,
                "text": "Lovely bread",
                "timestamp": 1714600000.0,
            }
        ]
    )
    import_bundle(
        live.store,
        DataBundle(name="reviews", reviews=reviews),
        quarantine_dir=live.settings.quarantine_dir,
        settings=live.settings,
    )
    bad = tmp_path / "events.csv"
    bad.write_text(f"user_id,item_id,event_type,timestamp\n{VICTIM},i1,view,yesterday\n")
    import_files(
        live.store, events=bad, quarantine_dir=live.settings.quarantine_dir, settings=live.settings
    )


def _rows_naming(live: LiveServer, user_id: str) -> dict[str, int]:
    """Rows of every table (whatever the schema holds now) with a cell equal to or
    containing the id."""
    found: dict[str, int] = {}
    with live.store.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            hits = sum(any(user_id in str(cell) for cell in row) for row in rows)
            if hits:
                found[table] = hits
    return found


def _files_naming(home: Path, user_id: str) -> list[Path]:
    """Files under ``home`` holding the id's bytes: caches, quarantine and, on SQLite, the
    database, its -wal and -shm (secure_delete and the checkpoint after an erasure leave
    no deleted byte there)."""
    needle = user_id.encode()
    return [path for path in home.rglob("*") if path.is_file() and needle in path.read_bytes()]


def test_export_holds_everything(live: LiveServer, tmp_path: Path) -> None:
    with live.client("all") as client:
        _populate(live, client, tmp_path)
        export = client.export_user(VICTIM)
    assert export.user is not None
    assert (export.user.email, export.user.consent_email) == ("victim@example.com", True)
    assert [e.event_type for e in export.events] == ["purchase", "search"]
    assert export.events[1].query == "tent for two"
    assert [r.text for r in export.reviews] == ["Lovely bread"]
    assert export.profile is not None and export.profile.n_events == 3
    assert {q["reason"] for q in export.quarantined} == {"rating_out_of_range", "wrong_type"}
    assert export.generated_texts == []
    assert all(e.user_id == VICTIM for e in export.events)


def test_erase_leaves_nothing_behind(live: LiveServer, tmp_path: Path) -> None:
    with live.client("all") as client:
        _populate(live, client, tmp_path)
        client.profile(VICTIM)
        assert _rows_naming(live, VICTIM)
        assert _files_naming(live.settings.home, VICTIM)
        erased = client.erase_user(VICTIM)
        assert (erased.user_row, erased.events, erased.reviews) == (True, 2, 1)
        assert erased.quarantine_rows == 2
        assert _rows_naming(live, VICTIM) == {}
        assert _files_naming(live.settings.home, VICTIM) == []
        for path in (
            f"/v1/users/{VICTIM}",
            f"/v1/users/{VICTIM}/profile",
            f"/v1/users/{VICTIM}/export",
        ):
            assert client.raw("GET", path).status_code == 404, path
        assert client.raw("DELETE", f"/v1/users/{VICTIM}").status_code == 404
        # The bystander keeps everything.
        assert client.get_user(BYSTANDER).email == "other@example.com"
        assert client.export_user(BYSTANDER).events[0].item_id == "i2"
    assert live.app.state.engine.is_forgotten(VICTIM)


@pytest.mark.llm
@pytest.mark.slow
def test_a_generated_portrait_is_exported_and_erased(
    sqlite_live: LiveServer, tmp_path: Path
) -> None:
    # The 1.5B model writes the portrait on 2 shared cores (with retries if a draft is not
    # grounded): minutes under load, far beyond the client's usual 30 s.
    with sqlite_live.client("all", timeout=900.0) as client:
        _populate(sqlite_live, client, tmp_path)
        profile = client.profile(VICTIM, generate=True)
        if profile.portrait_note and "no language model" in profile.portrait_note:
            pytest.skip(profile.portrait_note)
        assert profile.portrait_source == "llm", profile.portrait_note
        again = client.profile(VICTIM, generate=True)
        assert again.portrait == profile.portrait  # served from the per-user cache
        export = client.export_user(VICTIM)
        assert [t.text for t in export.generated_texts] == [profile.portrait]
        assert _files_naming(sqlite_live.settings.home / "cache", VICTIM)
        assert client.erase_user(VICTIM).generated_texts == 1
        assert _files_naming(sqlite_live.settings.home, VICTIM) == []


class BlockingGenerator:
    """Fake for the race below (the code under test is the write guard around it): holds
    the generation until the test has erased the user, then answers a sentence that names
    nothing, so it passes the grounding check and would be cached."""

    model_id = "blocking-fake"
    default_seed = 0

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.calls += 1
        self.started.set()
        if not self.release.wait(60):
            raise GenerationError("the test never released the generation")
        return GenerationResult("Enjoys exploring new things.", 6, 40, 0.01, "stop", "fake")

    def stream(self, request: GenerationRequest) -> TextStream:
        raise GenerationError("not used")


def test_a_portrait_finishing_after_an_erasure_elsewhere_is_never_written(
    tmp_path: Path, backend: str | None
) -> None:
    """The person is erased by another process (``recmind users erase``: no hook into
    this server's generation worker) while their portrait is being written: the tombstone,
    checked under the portrait cache's lock, keeps the finished portrait off disk."""
    blocking = BlockingGenerator()
    live, running = start_server(
        make_settings(tmp_path / "home", backend), make_generator=lambda: blocking
    )
    try:
        with live.client("all") as client:
            _populate(live, client, tmp_path)
            started = client.raw("GET", f"/v1/users/{VICTIM}/profile?generate=true")
            assert started.status_code == 202
            assert blocking.started.wait(60)
            assert erase_user(live.store, live.settings, VICTIM).found  # not through the API
            blocking.release.set()
            status = started.json()["status_url"]
            deadline = time.monotonic() + 60
            while client.raw("GET", status).json()["status"] in ("queued", "running"):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert _files_naming(live.settings.home, VICTIM) == []
            portraits = live.settings.home / "cache" / "portraits"
            assert not list(portraits.glob("*.json"))
            # a new person with the same id may get a portrait again
            client.put_user(VICTIM)
            client.send_events(
                [
                    {
                        "user_id": VICTIM,
                        "item_id": "i1",
                        "event_type": "view",
                        "timestamp": time.time(),
                    }
                ]
            )
            assert client.raw("GET", status).json()["status"] == "cancelled"  # nothing kept
            # a new person with the same id (and, here, the same facts) is written anew
            assert client.profile(VICTIM, generate=True).portrait_source == "llm"
            assert blocking.calls == 2
            assert len(list(portraits.glob("*.json"))) == 1
    finally:
        blocking.release.set()
        running.stop()
        live.store.close()
