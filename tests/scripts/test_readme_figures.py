"""README figures cannot drift: every registered figure's README block and ``NAME.md`` are
exactly what its results file renders, and the Figures part holds no hand-typed figure."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
README = ROOT / "README.md"


def _figures() -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.append(str(BENCHMARKS))
    import figures

    return figures


FIGURES = _figures()
NAMES = sorted(FIGURES.FIGURES)


def test_renderers_cover_the_benchmarks_of_this_part() -> None:
    expected = {
        "api_serving",
        "api_ingest",
        "api_ingest_postgresql",
        "import_events",
        "ease_large",
        "encoders",
        "llm_speed",
        "understanding",
        "served_temporal",
        "hybrid",
        "other_datasets",
        "other_datasets_complete_journey",
    }
    assert expected <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_readme_block_is_what_the_results_file_renders(name: str) -> None:
    blocks = FIGURES.blocks(README.read_text(encoding="utf-8"))
    assert name in blocks, f"README has no <!-- figures:{name} --> block"
    wanted = FIGURES.render(name).rstrip("\n") + "\n"
    assert blocks[name] == wanted, f"README block {name} drifted: run `make figures`"


@pytest.mark.parametrize("name", NAMES)
def test_results_markdown_is_what_the_results_file_renders(name: str) -> None:
    path = FIGURES.RESULTS / f"{name}.md"
    if FIGURES.awaited(name):  # pending, no results yet: nothing may pretend otherwise
        assert not path.exists(), f"{path.name} exists without {name}.json"
        return
    assert path.read_text(encoding="utf-8") == FIGURES.document(name), (
        f"{path.name} drifted from {name}.json: run `make figures`"
    )


def test_every_readme_block_names_a_registered_figure() -> None:
    assert set(FIGURES.blocks(README.read_text(encoding="utf-8"))) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_block_says_where_its_numbers_come_from(name: str) -> None:
    block = FIGURES.render(name)
    if FIGURES.awaited(name):
        assert block.startswith("Not measured yet: `") and FIGURES.FIGURES[name].command in block
        assert not re.search(r"\d", block.replace(FIGURES.FIGURES[name].command, ""))
        return
    assert "Produced by `" in block
    assert "load average" in block


def _figures_part_outside_blocks() -> list[tuple[str, str]]:
    """(section heading, line) of the README's Figures part outside generated blocks,
    headings and commands."""
    text = README.read_text(encoding="utf-8")
    part = text[text.index("\n## Figures\n") : text.index("\n## Features\n")]
    part = FIGURES.readme.BLOCK.sub("", part)
    lines, heading = [], ""
    for line in part.splitlines():
        if line.startswith("#"):
            heading = line
            continue
        lines.append((heading, re.sub(r"`[^`]*`", "", line)))
    return lines


def test_no_hand_typed_figure_outside_the_generated_blocks() -> None:
    """A measured number in the prose could drift: only the generated blocks hold them.
    Allowed: names and settings (MovieLens 100K, 2-core, CPU 0, top 500, HTTP statuses)."""
    allowed = re.compile(r"(?:100K|2-core|CPU [01]|top 500|Q4_K_M|AVX-512|e5|kill -9|5xx|40[13])")
    offenders = [
        (heading, line)
        for heading, line in _figures_part_outside_blocks()
        if re.search(r"\d", allowed.sub("", line))
    ]
    assert offenders == []


# -- the mechanism ----------------------------------------------------------------------------


def test_rewrite_replaces_a_hand_edited_block_and_keeps_the_rest() -> None:
    text = "intro 42\n<!-- figures:x -->\nold 1.23\n<!-- /figures:x -->\noutro\n"
    assert FIGURES.rewrite(text, {"x": "new\n"}) == (
        "intro 42\n<!-- figures:x -->\nnew\n<!-- /figures:x -->\noutro\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "<!-- figures:x -->\nbody\n",
        "<!-- figures:x -->\na\n<!-- /figures:x -->\n<!-- figures:x -->\nb\n<!-- /figures:x -->\n",
        "<!-- figures:x -->\na\n<!-- /figures:y -->\n",
    ],
)
def test_unpaired_or_repeated_markers_are_refused(text: str) -> None:
    with pytest.raises(FIGURES.MarkerError):
        FIGURES.blocks(text)


def test_a_block_no_renderer_knows_is_refused() -> None:
    with pytest.raises(FIGURES.MarkerError, match="typo"):
        FIGURES.rewrite("<!-- figures:typo -->\n<!-- /figures:typo -->\n", {"x": ""})


def test_a_readme_with_an_unregistered_block_is_refused_by_name() -> None:
    text = "<!-- figures:llm_speed -->\n<!-- /figures:llm_speed -->\n"
    with pytest.raises(FIGURES.MarkerError, match="typo"):
        FIGURES.rendered_readme(text + "<!-- figures:typo -->\n<!-- /figures:typo -->\n")
    assert "decode tok/s" in FIGURES.rendered_readme(text)


def test_a_changed_number_in_the_results_changes_the_block() -> None:
    data = copy.deepcopy(FIGURES.read_results("api_ingest_postgresql"))
    data["events_per_second_median"] = 4321.0
    block = FIGURES.render("api_ingest_postgresql", data)
    assert "**4,321 events/s**" in block
    assert "NOT met" in block
    assert "bar is missed" in block
    data["events_per_second_median"] = 5432.0
    assert "NOT met" not in FIGURES.render("api_ingest_postgresql", data)


def test_lost_events_fail_the_ingestion_bar_whatever_the_rate() -> None:
    data = copy.deepcopy(FIGURES.read_results("api_ingest"))
    data["events_per_second_median"] = 9000.0
    data["stored_events"] = data["acknowledged_events"] - 1
    block = FIGURES.render("api_ingest", data)
    assert "MISMATCH" in block
    assert "NOT met" in block


def test_grounding_headline_is_the_generated_rate_not_the_final_one() -> None:
    data = copy.deepcopy(FIGURES.read_results("understanding"))
    for kind in ("explanations", "portraits"):
        data["grounding"][kind].update(
            generated_texts=150,
            generated_grounded_rate=0.6,
            generated_final_audit_pass_rate=0.97,
            final_grounded_rate_template_included=1.0,
        )
    block = FIGURES.render("understanding", data)
    assert "**60% of 150 generated drafts grounded**" in block
    assert "100%" not in block


def _served_entry(served: list[float], ease: list[float], popular: list[float]) -> dict[str, Any]:
    """A ``served_temporal`` dataset entry with these NDCG@10 values per seed."""
    runs = []
    for seed, (s, e, p) in enumerate(zip(served, ease, popular, strict=True)):
        run: dict[str, Any] = {"seed": 42 + seed}
        for who, value in (("served", s), ("ease", e), ("popular", p)):
            run[who] = {"ndcg@10": value, "recall@10": value / 2, "hr@10": value * 2}
        run["served"].update(
            users=250,
            requests=250,
            failed=0,
            not_personalized=0,
            train_seconds=30.0,
            ready_seconds=2.0,
        )
        runs.append(run)
    return {
        "model": "hybrid",
        "per_seed": runs,
        "split": {"quantile": 0.8, "cut_utc": "1998-03-08 12:00:00"},
        "import": {
            "seconds": 1.5,
            "events_written": 80000,
            "events_stored": 80000,
            "items_written": 1682,
        },
        "provenance": {
            "command": ".venv/bin/python benchmarks/served_temporal.py",
            "loadavg_start": "1.00 1.00 1.00",
            "loadavg_end": "1.10 1.00 1.00",
        },
    }


def test_served_figure_shows_ratios_and_wins_per_dataset() -> None:
    data = {
        "datasets": {
            "movielens-100k": _served_entry([0.25, 0.24, 0.20], [0.17] * 3, [0.22] * 3),
            "movielens-latest-small": _served_entry([0.30], [0.25], [0.23]),
        }
    }
    block = FIGURES.render("served_temporal", data)
    assert (
        "| movielens-100k (250 people) | **hybrid**, served over HTTP | **0.2300 ± 0.0265** |"
        in block
    )
    assert "| 1.35x | 1.05x | 3 of 3 over EASE, 2 of 3 over popularity |" in block
    assert "| EASE (harness, tuned) | 0.1700 ± 0.0000 |" in block
    assert "**0.3000 (1 seed)**" in block and "1 of 1 over EASE" in block
    assert block.count("Produced by `") == 2


def test_a_pending_figure_renders_its_results_once_they_exist(tmp_path: Path) -> None:
    data = {"datasets": {"movielens-100k": _served_entry([0.25], [0.17], [0.22])}}
    text = "<!-- figures:served_temporal -->\n<!-- /figures:served_temporal -->\n"
    assert "Not measured yet" in FIGURES.rendered_readme(text, folder=tmp_path)
    FIGURES.write_results("served_temporal", data, folder=tmp_path)
    rendered = FIGURES.rendered_readme(text, folder=tmp_path)
    assert "**0.2500 (1 seed)**" in rendered and "Not measured yet" not in rendered


def test_provenance_names_command_commit_cpu_and_load() -> None:
    data = copy.deepcopy(FIGURES.read_results("import_events"))
    data["provenance"] = {
        "command": ".venv/bin/python benchmarks/import_events.py --repeats 1",
        "commit": "0123456789",
        "cpu": "Test CPU (family 1, model 2)",
        "cpus": 2,
        "loadavg_start": "0.50 0.40 0.30",
        "loadavg_end": "1.50 0.60 0.35",
    }
    line = FIGURES.render("import_events", data).splitlines()[-1]
    assert line == (
        "- Produced by `.venv/bin/python benchmarks/import_events.py --repeats 1` at commit "
        "`0123456789` on Test CPU (family 1, model 2), 2 CPUs; load average (1, 5, 15 min) "
        "0.50 0.40 0.30 at the start, 1.50 0.60 0.35 at the end."
    )


def test_write_results_writes_the_json_and_its_rendering(tmp_path: Path) -> None:
    data = FIGURES.read_results("llm_speed")
    markdown = FIGURES.write_results("llm_speed", data, folder=tmp_path)
    assert json.loads((tmp_path / "llm_speed.json").read_text()) == data
    assert (tmp_path / "llm_speed.md").read_text() == markdown == FIGURES.document("llm_speed")


def test_make_figures_check_passes_on_the_committed_files() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "figures", "--check"],
        cwd=ROOT,
        env={"PYTHONPATH": str(BENCHMARKS), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
