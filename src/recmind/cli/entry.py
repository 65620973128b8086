"""The ``recmind`` console script: the CLI, or one clear line where its libraries are missing.

``pip install recmind`` alone installs the typed HTTP client; the command needs the ``server``
extra (and ``all`` for models and the local LLM), so without them it says what to install
instead of printing an import traceback.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Run the CLI (``recmind.cli.main.app``)."""
    try:
        from recmind.cli.main import app
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if not missing or missing == "recmind":
            raise
        sys.stderr.write(
            f"error: the recmind command needs libraries this installation lacks ({missing} "
            "is not installed): pip install 'recmind[all]' (or 'recmind[server]' without "
            "the models and the local LLM)\n"
        )
        raise SystemExit(2) from exc
    app()
