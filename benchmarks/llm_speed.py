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
import resource
import statistics
import time
from typing import Any

from figures import write_results
from harness import finished, loadavg, provenance
from recmind.text.llm.gguf_assets import MODELS, ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.protocol import GenerationRequest

PROMPT = (
    "Write a detailed product description for a waterproof hiking jacket: materials, "
    "fit, pockets, care instructions and who it is for."
)
BAR_TOKENS_PER_S = 20.0


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
    record = provenance()
    rows = []
    thread_counts = [int(part) for part in args.threads.split(",") if part.strip()]
    plan = [(model, False, "", threads) for model in args.models for threads in thread_counts]
    if args.active:
        plan.insert(1, (args.models[0], False, "ACTIVE", thread_counts[-1]))
    if args.direct:
        plan.insert(1, (args.models[0], True, "", thread_counts[-1]))
    for model, direct, policy, threads in plan:
        before = loadavg()
        row = run_isolated((model, args.runs, args.max_tokens, threads, direct, policy))
        row["loadavg"] = f"{before} -> {loadavg()}"
        rows.append(row)
        print(json.dumps(row), flush=True)
        report = {
            "benchmark": "llm_speed",
            "prompt": PROMPT,
            "max_tokens": args.max_tokens,
            "bar_decode_tok_s_1_5b": BAR_TOKENS_PER_S,
            "results": rows,
            "provenance": finished(record),
        }
        write_results("llm_speed", report)  # after every row: an interrupted run keeps them


if __name__ == "__main__":
    main()
