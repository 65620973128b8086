"""Plain-language segments: does the drafted rule select the customers the request means?

Every request of ``benchmarks/data/segment_requests.jsonl`` (English and Chinese, easy and
tricky, each with the rule a person wrote for it) is drafted by the local model against the
Complete Journey store (``drafting_store.py``), as of the day after its data ends. A draft
counts as correct when its rule selects exactly the customers the expected rule selects
(set equality of the two compiled queries' results on that store); the Jaccard index of the
two sets is reported too. Before drafting, every expected rule is run: one that selects
nobody or everybody, or the same set as another request's, is reported (such a request
could agree by accident).

Usage: .venv/bin/python benchmarks/segment_drafting.py [--model NAME] [--ids en-01,zh-03]
       [--limit N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from drafting_store import AS_OF, build_store
from figures import write_results
from harness import ROOT, finished, peak_rss_mb, provenance
from recmind.marketing.drafting.draft import DraftError
from recmind.marketing.drafting.service import SegmentDrafter, member_ids
from recmind.text.llm.gguf_assets import ensure_model, get_asset
from recmind.text.llm.local import LocalGGUFGenerator

REQUESTS = ROOT / "benchmarks" / "data" / "segment_requests.jsonl"
RESULTS = ROOT / "benchmarks" / "results"
PNG = RESULTS / "segment_drafting.png"
BAR = 0.85
N_CTX = 4096


def load_requests(path: Path = REQUESTS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def jaccard(a: set[str], b: set[str]) -> float:
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def expected_sets(
    drafter: SegmentDrafter, requests: list[dict[str, Any]], universe: int
) -> tuple[dict[str, set[str]], list[str]]:
    """Each request's expected members, and the problems of the set (trivial, duplicate)."""
    sets: dict[str, set[str]] = {}
    problems: list[str] = []
    seen: dict[frozenset[str], str] = {}
    for request in requests:
        members = member_ids(drafter.store, drafter.check(request["expected"]), drafter.as_of)
        sets[request["id"]] = members
        if not members or len(members) == universe:
            problems.append(f"{request['id']} selects {len(members)} of {universe}")
        key = frozenset(members)
        if key in seen:
            problems.append(f"{request['id']} selects the same customers as {seen[key]}")
        seen.setdefault(key, request["id"])
    return sets, problems


def share(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    correct = sum(r["correct"] for r in rows)
    return {
        "n": n,
        "correct": correct,
        "accuracy": correct / n if n else None,
        "mean_jaccard": statistics.fmean(r["jaccard"] for r in rows) if n else None,
    }


def summarise(every: list[dict[str, Any]]) -> dict[str, Any]:
    """The headline over the requests whose expected rule selects a proper, non-empty set
    (a rule selecting nobody or everybody could agree by accident); all requests beside."""
    rows = [r for r in every if not r["trivial"]]
    by: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by["language"][row["lang"]].append(row)
        by["difficulty"][row["difficulty"]].append(row)
        for tag in row["tags"]:
            by["tag"][tag].append(row)
    generations = sum(r["attempts"] for r in every)
    rejected = sum(len(r["errors"]) for r in every)
    headline = share(rows)
    return {
        **headline,
        "trivial_excluded": [r["id"] for r in every if r["trivial"]],
        "all_requests": share(every),
        "bar": BAR,
        "met": headline["accuracy"] is not None and headline["accuracy"] >= BAR,
        "by_language": {k: share(v) for k, v in sorted(by["language"].items())},
        "by_difficulty": {k: share(v) for k, v in sorted(by["difficulty"].items())},
        "by_tag": {k: share(v) for k, v in sorted(by["tag"].items())},
        "median_seconds": statistics.median(r["seconds"] for r in every),
        "max_seconds": max(r["seconds"] for r in every),
        "generations": generations,
        "invalid_outputs": rejected,
        "invalid_output_rate": rejected / generations if generations else None,
        "retried_requests": sum(r["attempts"] > 1 for r in every),
        "failed_requests": sum(r["drafted"] is None for r in every),
        "validated_before_run": all(r["drafted"] is None or r["validated"] for r in every),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    record = provenance()
    cache = ROOT / "var" / "bench"
    started = time.perf_counter()
    store, notes = build_store(cache)
    store_seconds = time.perf_counter() - started
    path = ensure_model(get_asset(args.model))
    generator = LocalGGUFGenerator(
        path,
        n_ctx=N_CTX,
        n_threads=args.threads,
        seed=42,
        reuse_prompt_cache=True,
        model_name=args.model,
    )
    drafter = SegmentDrafter(store, generator, as_of=AS_OF, currency="USD", timeout_s=None)
    requests = load_requests()
    if args.ids:
        wanted = set(args.ids.split(","))
        requests = [r for r in requests if r["id"] in wanted]
    if args.limit:
        requests = requests[: args.limit]
    universe = len(member_ids(store, drafter.check({"all": []}), AS_OF))
    expected, problems = expected_sets(drafter, requests, universe)
    for problem in problems:
        print("set problem:", problem, file=sys.stderr)
    warm_seconds = drafter.warm()
    print(f"prompt prefix read in {warm_seconds:.0f} s", flush=True)
    rows = []
    for request in requests:
        row = draft_one(drafter, request, expected[request["id"]])
        row["trivial"] = len(expected[request["id"]]) in (0, universe)
        print(
            f"{row['id']} {'OK ' if row['correct'] else 'BAD'} j={row['jaccard']:.2f} "
            f"{row['seconds']:.1f}s {json.dumps(row['drafted'], ensure_ascii=False)}",
            flush=True,
        )
        rows.append(row)
    return {
        "dataset": notes,
        "as_of": AS_OF,
        "customers": universe,
        "model": args.model,
        "n_ctx": N_CTX,
        "threads": args.threads,
        "encoder": drafter.encoder_name,
        "requests_file": str(REQUESTS.relative_to(ROOT)),
        "set_problems": problems,
        "store_seconds": store_seconds,
        "warm_seconds": warm_seconds,
        "summary": summarise(rows),
        "requests": rows,
        "peak_rss_mb": peak_rss_mb(),
        "provenance": finished(record),
    }


def draft_one(drafter: SegmentDrafter, request: dict[str, Any], want: set[str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        key: request[key] for key in ("id", "lang", "difficulty", "tags", "text", "expected")
    }
    row["expected_count"] = len(want)
    started = time.perf_counter()
    try:
        drafted = drafter.draft(request["text"])
    except DraftError as exc:
        row.update(
            drafted=None,
            validated=False,
            attempts=len(exc.answers),
            errors=list(exc.errors),
            answers=list(exc.answers),
            words=None,
            drafted_count=None,
            jaccard=0.0,
            correct=False,
            seconds=time.perf_counter() - started,
        )
        return row
    got = member_ids(drafter.store, drafter.check(drafted.rule), drafter.as_of)
    row.update(
        drafted=drafted.rule,
        validated=True,
        attempts=drafted.draft.attempts,
        errors=list(drafted.draft.errors),
        answers=list(drafted.draft.answers),
        candidates=list(drafted.draft.candidates),
        words=drafted.words,
        drafted_count=drafted.count,
        jaccard=jaccard(got, want),
        correct=got == want,
        seconds=time.perf_counter() - started,
        generation_seconds=drafted.draft.seconds,
    )
    return row


def plot(results: dict[str, Any], path: Path) -> None:
    """Share correct per language and difficulty (with the bar), and each request's Jaccard."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = results["summary"]
    groups = {"all": summary}
    groups.update({f"lang {k}": v for k, v in summary["by_language"].items()})
    groups.update(summary["by_difficulty"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2))
    names = list(groups)
    left.bar(names, [groups[n]["accuracy"] or 0.0 for n in names], color="#4c72b0")
    left.axhline(summary["bar"], color="#c44e52", linestyle="--", label=f"bar {summary['bar']:.0%}")
    left.set_ylim(0, 1)
    left.set_ylabel("drafted rule selects the intended customers")
    left.legend(loc="lower right")
    rows = [r for r in results["requests"] if not r["trivial"]]
    colours = ["#55a868" if r["correct"] else "#c44e52" for r in rows]
    right.bar([r["id"] for r in rows], [r["jaccard"] for r in rows], color=colours)
    right.set_ylim(0, 1.05)
    right.set_ylabel("Jaccard, drafted vs expected members")
    right.tick_params(axis="x", rotation=90, labelsize=7)
    fig.suptitle(f"Plain-language segments, {results['model']} (green: same customers)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument(
        "--threads", type=int, default=1, help="1 decodes fastest when the cores are shared"
    )
    parser.add_argument("--ids", default="")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="print, write no results")
    parser.add_argument("--plot-only", action="store_true", help="redraw the PNG from the JSON")
    args = parser.parse_args(argv)
    if args.plot_only:
        plot(json.loads((RESULTS / "segment_drafting.json").read_text()), PNG)
        return 0
    results = run(args)
    summary = results["summary"]
    print(json.dumps({k: v for k, v in summary.items() if k != "by_tag"}, indent=2))
    if not args.no_write and not args.ids and not args.limit:
        print(write_results("segment_drafting", results))
        plot(results, PNG)
    return 0


if __name__ == "__main__":
    sys.exit(main())
