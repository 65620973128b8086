"""Local LLM speed in the product: load time, decode tokens/s and peak memory per model.

Each model runs in a fresh process (so its peak RSS is its own) through
``LocalGGUFGenerator.stream``, the same path the product uses: one warm-up, then ``--runs``
seeded generations of up to ``--max-tokens`` tokens. Decode speed is measured from the first
streamed piece to the last (prompt evaluation excluded); end-to-end speed includes it.
``--direct`` adds a row for the first model called through llama-cpp-python directly (what
the wrapper costs); ``--active`` adds one with ``OMP_WAIT_POLICY=ACTIVE`` (what the passive
default buys). Writes ``benchmarks/results/llm_speed.json`` and ``.md``; the load average
before and after is recorded, since the cores may be shared.

    .venv/bin/python benchmarks/llm_speed.py [--runs 5] [--max-tokens 128] [--threads 1,2]
        [--direct] [--active]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from recmind.text.llm.gguf_assets import MODELS, ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.protocol import GenerationRequest

RESULTS = Path(__file__).parent / "results"
PROMPT = (
    "Write a detailed product description for a waterproof hiking jacket: materials, "
    "fit, pockets, care instructions and who it is for."
)
BAR_TOKENS_PER_S = 20.0


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _measure(args: tuple[str, int, int, int, bool, str]) -> dict[str, Any]:
    """One model in this (child) process: (model, runs, max_tokens, threads, direct, policy)."""
    model, runs, max_tokens, threads, direct, policy = args
    if policy:
        os.environ["OMP_WAIT_POLICY"] = policy
    path = ensure_model(model)
    generator = LocalGGUFGenerator(path, n_ctx=2048, n_threads=threads, seed=42)
    start = time.perf_counter()
    llama = generator.load()
    load_s = time.perf_counter() - start
    import llama_cpp  # loaded by the generator above; only asked what it was built with

    build = llama_cpp.llama_print_system_info().decode(errors="replace").strip()
    samples = []
    for index in range(runs + 1):  # the first one warms up
        request = GenerationRequest.chat(PROMPT, max_tokens=max_tokens, temperature=0.7, seed=index)
        sample = _direct_run(llama, request) if direct else _product_run(generator, request)
        if index > 0:
            samples.append(sample)
    return {
        "model": model,
        "path": "llama-cpp-python direct" if direct else "LocalGGUFGenerator.stream",
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
        "threads": threads,
        "load_s": load_s,
        "runs": runs,
        "tokens": statistics.median(s["tokens"] for s in samples),
        "first_piece_s": statistics.median(s["first_s"] for s in samples),
        "decode_tok_s": statistics.median(s["decode_tok_s"] for s in samples),
        "end_to_end_tok_s": statistics.median(s["e2e_tok_s"] for s in samples),
        "decode_cpu_ms_per_token": statistics.median(s["decode_cpu_ms_per_token"] for s in samples),
        "decode_tok_s_all": [round(s["decode_tok_s"], 2) for s in samples],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "build": build,
    }


def _product_run(generator: LocalGGUFGenerator, request: GenerationRequest) -> dict[str, float]:
    start = time.perf_counter()
    first = None
    cpu_first = 0.0
    stream = generator.stream(request)
    for _ in stream:
        if first is None:
            first, cpu_first = time.perf_counter(), time.process_time()
    end, cpu_end = time.perf_counter(), time.process_time()
    assert stream.result is not None and first is not None
    return _sample(stream.result.tokens, start, first, end, cpu_end - cpu_first)


def _direct_run(llama: Any, request: GenerationRequest) -> dict[str, float]:
    llama.reset()
    start = time.perf_counter()
    first = None
    cpu_first = 0.0
    pieces = 0
    for chunk in llama.create_chat_completion(
        messages=[m.to_dict() for m in request.messages],
        max_tokens=request.max_tokens,
        temperature=request.temperature,
        seed=request.seed,
        stream=True,
    ):
        if chunk["choices"][0]["delta"].get("content"):
            if first is None:
                first, cpu_first = time.perf_counter(), time.process_time()
            pieces += 1
    end, cpu_end = time.perf_counter(), time.process_time()
    assert first is not None
    return _sample(pieces, start, first, end, cpu_end - cpu_first)


def _sample(tokens: int, start: float, first: float, end: float, cpu: float) -> dict[str, float]:
    """Wall-clock speeds, and the CPU time (all threads) the decoding used per token."""
    return {
        "tokens": tokens,
        "decode_cpu_ms_per_token": 1000 * cpu / max(tokens - 1, 1),
        "first_s": first - start,
        "decode_tok_s": (tokens - 1) / (end - first) if end > first else 0.0,
        "e2e_tok_s": tokens / (end - start),
    }


def _child(args: tuple[str, int, int, int, bool, str], queue: Any) -> None:
    try:
        queue.put(_measure(args))
    except ModelAssetsMissingError as exc:
        queue.put({"model": args[0], "skipped": str(exc)})


def run_isolated(args: tuple[str, int, int, int, bool, str]) -> Any:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument(
        "--threads", default="2", help="comma-separated: one row per thread count (e.g. 1,2)"
    )
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument("--direct", action="store_true", help="also llama-cpp-python directly")
    parser.add_argument("--active", action="store_true", help="also OMP_WAIT_POLICY=ACTIVE")
    args = parser.parse_args()
    load_before = _loadavg()
    rows = []
    thread_counts = [int(part) for part in args.threads.split(",") if part.strip()]
    plan = [(model, False, "", threads) for model in args.models for threads in thread_counts]
    if args.active:
        plan.insert(1, (args.models[0], False, "ACTIVE", thread_counts[-1]))
    if args.direct:
        plan.insert(1, (args.models[0], True, "", thread_counts[-1]))
    for model, direct, policy, threads in plan:
        before = _loadavg()
        row = run_isolated((model, args.runs, args.max_tokens, threads, direct, policy))
        row["loadavg"] = f"{before} -> {_loadavg()}"
        rows.append(row)
        print(json.dumps(row), flush=True)
        report = {
            "benchmark": "llm_speed",
            "prompt": PROMPT,
            "max_tokens": args.max_tokens,
            "bar_decode_tok_s_1_5b": BAR_TOKENS_PER_S,
            "loadavg_before": load_before,
            "loadavg_after": _loadavg(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "results": rows,
        }
        RESULTS.mkdir(exist_ok=True)  # written after every row: an interrupted run keeps them
        (RESULTS / "llm_speed.json").write_text(json.dumps(report, indent=2))
        (RESULTS / "llm_speed.md").write_text(to_markdown(report))


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Local LLM speed ({report['machine']['cpus']} CPUs, up to {report['max_tokens']} "
        "tokens, medians)",
        "",
        f"Load average before / after: {report['loadavg_before']} / {report['loadavg_after']}. "
        f"Bar for the 1.5B model: >= {report['bar_decode_tok_s_1_5b']:.0f} tok/s decode.",
        "",
        "| model | path | OMP wait (OpenMP builds) | threads | load s | tokens | first piece s | "
        "decode tok/s | "
        "end-to-end tok/s | decode CPU ms/token | peak RSS MB | load average (1, 5, 15 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        if "skipped" in r:
            lines.append(f"| {r['model']} | skipped: parts not installed |" + " |" * 10)
            continue
        cells = [
            r["model"],
            r["path"],
            r["omp_wait_policy"].lower() if "OPENMP = 1" in r.get("build", "OPENMP = 1") else "-",
            r["threads"],
            f"{r['load_s']:.2f}",
            f"{r['tokens']:.0f}",
            f"{r['first_piece_s']:.2f}",
            f"**{r['decode_tok_s']:.1f}**",
            f"{r['end_to_end_tok_s']:.1f}",
            f"{r['decode_cpu_ms_per_token']:.1f}",
            f"{r['peak_rss_mb']:,.0f}",
            r["loadavg"],
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    builds = sorted({r["build"] for r in report["results"] if r.get("build")})
    if builds:
        lines += ["", "llama.cpp build (`llama_print_system_info`):", ""]
        lines += [f"- `{build}`" for build in builds]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
