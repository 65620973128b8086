"""``python -m figures``: render every registered results file into the README's blocks and
its ``NAME.md``; ``--check`` only reports what differs (exit status 1)."""

from __future__ import annotations

import argparse
import sys

from figures import (
    FIGURES,
    README,
    RESULTS,
    awaited,
    blocks,
    document,
    read_results,
    rendered_readme,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="figures", description=__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on drift")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    missing = sorted(set(FIGURES) - set(blocks(text)))
    if missing:
        print(f"README has no block for {', '.join(missing)}: add <!-- figures:NAME --> ...")
        return 1
    problems = []
    new_text = rendered_readme(text)
    if new_text != text:
        problems.append("README blocks differ from the results files")
        if not args.check:
            README.write_text(new_text, encoding="utf-8")
    for name in sorted(FIGURES):
        path = RESULTS / f"{name}.md"
        if awaited(name):  # a pending figure: no results yet, so no NAME.md either
            if path.is_file():
                problems.append(f"{path.name} exists without {name}.json")
            continue
        wanted = document(name, read_results(name))
        if not path.is_file() or path.read_text(encoding="utf-8") != wanted:
            problems.append(f"{path.name} differs from {name}.json")
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
    for problem in problems:
        print(("drift: " if args.check else "rewrote: ") + problem)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
