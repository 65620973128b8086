"""Print, write or check the README's configuration table, generated from the settings tree.

Every row comes from a field of ``recmind.config.Settings``: its environment variable, its
default and its description (``recmind.config.reference``). The README holds the table
between ``<!-- config-table -->`` and ``<!-- /config-table -->``.

    .venv/bin/python scripts/config_table.py                     # print the table
    .venv/bin/python scripts/config_table.py --write README.md   # rewrite it in place
    .venv/bin/python scripts/config_table.py --check README.md   # exit 1 if it differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recmind.config.reference import markdown_table, replace_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", type=Path, metavar="FILE", help="Rewrite FILE's table.")
    action.add_argument("--check", type=Path, metavar="FILE", help="Fail if FILE's differs.")
    args = parser.parse_args(argv)
    target: Path | None = args.write or args.check
    if target is None:
        sys.stdout.write(markdown_table())
        return 0
    document = target.read_text(encoding="utf-8")
    try:
        updated = replace_table(document)
    except ValueError as exc:
        print(f"error: {target}: {exc}", file=sys.stderr)
        return 2
    if args.write is not None:
        if updated != document:
            target.write_text(updated, encoding="utf-8")
        return 0
    if updated != document:
        print(
            f"{target}: the configuration table differs from the settings tree; run "
            f"python scripts/config_table.py --write {target}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
