"""A small hand-made catalogue and history, and the real SmolLM2-135M."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pandas as pd
import pytest

from recmind.data.bundle import DataBundle
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator

DAY = 86_400.0


def make_bundle() -> DataBundle:
    """Five films; user ``u1`` rated four of them (one badly), ``u2`` rated two, ``u3`` has
    no events."""
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3", "4", "5"],
            "title": [
                "Star Wars (1977)",
                "Return of the Jedi (1983)",
                "Toy Story (1995)",
                "Fargo (1996)",
                "Game, The (1997)",
            ],
            "category": [
                "Action|Sci-Fi",
                "Action|Sci-Fi",
                "Animation|Children's|Comedy",
                "Crime|Drama",
                "Mystery|Thriller",
            ],
            "attributes": [
                {"genres": ["Action", "Sci-Fi"], "release_date": "01-Jan-1977"},
                {"genres": ["Action", "Sci-Fi"], "release_date": "14-Mar-1983"},
                {"genres": ["Animation"], "release_date": "01-Jan-1995", "imdb_url": "http://x"},
                {"genres": ["Crime"], "release_date": "14-Feb-1996"},
                {"genres": ["Mystery"], "release_date": "01-Jan-1997"},
            ],
        }
    )
    rows = [
        ("u1", "1", 1, 5.0),
        ("u1", "2", 2, 4.0),
        ("u1", "4", 3, 1.0),
        ("u1", "3", 4, 4.0),
        ("u2", "3", 1, 5.0),
        ("u2", "5", 2, 3.0),
    ]
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "user_id": [r[0] for r in rows],
            "item_id": [r[1] for r in rows],
            "event_type": "rating",
            "timestamp": [1.7e9 + r[2] * DAY for r in rows],
            "value": [r[3] for r in rows],
        }
    )
    users = pd.DataFrame({"user_id": ["u1", "u2", "u3"], "attributes": [{}, {}, {}]})
    return DataBundle(name="tiny", items=items, users=users, events=events)


@pytest.fixture
def bundle() -> DataBundle:
    return make_bundle()


@pytest.fixture(scope="session")
def smollm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalGGUFGenerator]:
    """The real SmolLM2-135M through the production backend (one thread: robust on a
    shared machine)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    try:
        path = ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm"))
    except ModelAssetsMissingError as exc:
        pytest.skip(str(exc))
    generator = LocalGGUFGenerator(path, n_ctx=1024, n_threads=1, seed=7)
    yield generator
    generator.close()
