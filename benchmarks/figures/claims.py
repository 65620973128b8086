"""Renderer of the claim-checker benchmark (``claim_checker``): recall on planted errors and
false positives on clean texts, per language, tuned and held-out parts."""

from __future__ import annotations

from typing import Any

from figures.base import Results, figure, provenance, table, verdict

SPLIT_NAMES = {
    "tuned": "tuned",
    "heldout": "held-out",
    "heldout2": "held-out 2",
    "heldout3": "held-out 3",
}


def _pct(rate: dict[str, Any]) -> str:
    if not rate.get("n"):
        return "-"
    low, high = rate["ci95"]
    return (
        f"{100 * rate['rate']:.1f}% ({rate['hits']}/{rate['n']}; {100 * low:.0f}-{100 * high:.0f})"
    )


@figure(
    "claim_checker",
    title="Claim checker: planted errors caught, clean texts passed",
    command=".venv/bin/python benchmarks/claim_checker.py",
)
def claim_checker(data: Results) -> str:
    """Recall and false-positive rate against the bars, then recall per error kind."""
    bar = data["bar"]
    rows = []
    for split, parts in data["splits"].items():
        for language in ("all", "en", "zh"):
            part = parts[language]
            rows.append(
                [
                    SPLIT_NAMES.get(split, split),
                    language,
                    _pct(part["recall"]),
                    _pct(part["kind_agrees"]),
                    _pct(part["false_positive_rate"]),
                ]
            )
    kinds = sorted({k for parts in data["splits"].values() for k in parts["all"]["recall_by_kind"]})
    by_kind = [
        [
            kind,
            *(
                _pct(parts["all"]["recall_by_kind"].get(kind, {}))
                for parts in data["splits"].values()
            ),
        ]
        for kind in kinds
    ]
    verdicts = []
    for split, parts in data["splits"].items():
        recall = parts["all"]["recall"]["rate"]
        fpr = parts["all"]["false_positive_rate"]["rate"]
        verdicts.append(
            f"{SPLIT_NAMES.get(split, split)}: recall >= {100 * bar['recall']:.0f}% "
            f"{verdict(recall >= bar['recall'])}, false positives <= "
            f"{100 * bar['false_positive_rate']:.0f}% {verdict(fpr <= bar['false_positive_rate'])}"
        )
    misses = [
        f"`{case['id']}` ({case['expected']}): {case['text']}"
        for parts in data["splits"].values()
        for case in parts["all"]["misses"] + parts["all"]["false_positives"]
    ]
    first = data.get("first_heldout_look")
    lines = [
        f"{data['texts']} hand-written texts (`benchmarks/data/claims`), English and Chinese, each "
        "with one planted error or none; the held-out scenarios were written before the checker "
        "and measured once before the fixes noted below. Rates with "
        'their Wilson 95% interval; "kind agrees": of the caught errors, those where an '
        f"unsupported claim has the planted kind. {data['ms_per_text']:.1f} ms per text.",
        "",
        *table(["part", "language", "recall", "kind agrees", "false positives"], rows),
        "",
        *table(["planted error", *(SPLIT_NAMES.get(s, s) for s in data["splits"])], by_kind),
        "",
        "; ".join(verdicts) + ".",
        "",
    ]
    fresh = data.get("fresh_first_pass", [])
    if fresh:
        lines += [
            "Each batch of texts as the checker first saw it (before the fixes it prompted), the "
            "closest estimate of its rates on planted errors it has never seen:",
            "",
            *table(
                ["batch", "recall", "false positives"],
                [
                    [
                        b["batch"],
                        f"{b['recall']['hits']}/{b['recall']['n']}"
                        f" ({100 * b['recall']['hits'] / b['recall']['n']:.1f}%)",
                        f"{b['false_positives']['hits']}/{b['false_positives']['n']}",
                    ]
                    for b in fresh
                ],
            ),
            "",
        ]
    if first:
        lines += [
            f"The held-out part as first measured (commit `{first['commit']}`), before any change "
            f"made because of it: recall {first['recall']['hits']}/{first['recall']['n']}, false "
            f"positives {first['false_positives']['hits']}/{first['false_positives']['n']}. "
            "The bugs it showed, since fixed: " + "; ".join(first["fixed"]) + ".",
            "",
        ]
    for look in data.get("first_looks", []):
        fixed = look.get("fixed", [])
        lines += [
            f"{look['part']} as first measured (commit `{look['commit']}`), before any change "
            f"made because of it: recall {look['recall']['hits']}/{look['recall']['n']}, false "
            f"positives {look['false_positives']['hits']}/{look['false_positives']['n']}. "
            "Missed then: "
            + "; ".join(look["missed"])
            + ". False positives then: "
            + "; ".join(look["false_positive_ids"])
            + "."
            + (
                " Fixed since, as classes of claims rather than sentences: "
                + "; ".join(fixed)
                + "."
                if fixed
                else ""
            ),
            "",
        ]
    if misses:
        lines += ["Missed errors and false positives:", "", *(f"- {m}" for m in misses), ""]
    lines.append(provenance(data, "claim_checker"))
    return "\n".join(lines) + "\n"
