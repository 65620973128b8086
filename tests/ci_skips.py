"""CI that cannot hide: under ``CI=true`` a skipped test fails instead.

Every skip in this suite means something ``make`` installs (a package, a model, the llama.cpp
build, a dataset package) or a service the machine provides (PostgreSQL on 127.0.0.1:5432)
is missing: on a developer's laptop that is worth a skip, in CI it is a broken set-up that a
green run would hide. So when the environment variable ``CI`` is ``true`` (or ``1``/``yes``)
a test that skips, at collection, set-up or call, is reported as failed with its skip reason.
Only the skips in :data:`ALLOWED_SKIPS` stay skips: each is about the platform (not about
something ``make`` or the machine should provide) and says why. xfail is untouched.

The terminal summary gets one line either way: how many tests skipped, how many of those
skips CI refused, and how many the allow-list let through.

Loaded by ``tests/conftest.py``; ``tests/test_ci_skips.py`` drives it with pytester.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator

import pytest

ALLOWED_SKIPS: tuple[tuple[str, str], ...] = ()
"""(regular expression matched against the skip reason, why that skip is about the platform
rather than the set-up). Empty today: no test skips for a platform reason."""

REFUSED = "ci-refused-skip"
"""The user property that marks a skip CI turned into a failure (it survives xdist)."""
CI_VALUES = {"1", "true", "yes"}


def ci_is_on() -> bool:
    """True when ``CI`` is ``true``, ``1`` or ``yes`` (any case)."""
    return os.environ.get("CI", "").strip().lower() in CI_VALUES


def allowed(reason: str) -> bool:
    """True when the skip reason matches an entry of :data:`ALLOWED_SKIPS`."""
    return any(re.search(pattern, reason) for pattern, _ in ALLOWED_SKIPS)


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason a skip report carries (``longrepr`` is ``(path, line, reason)``)."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _refuse(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skip report into a failure that says why, unless the skip is allowed."""
    if not report.skipped or hasattr(report, "wasxfail") or not ci_is_on():
        return
    reason = _reason(report)
    if allowed(reason):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"CI=true refuses this skip: {reason}\n"
        "Something `make` installs or the machine provides (PostgreSQL on 127.0.0.1:5432) is "
        "missing, and a skip would hide it. Fix the set-up, or, if the skip is about the "
        "platform, add it with its reason to ALLOWED_SKIPS in tests/ci_skips.py."
    )
    if isinstance(report, pytest.TestReport):
        report.user_properties.append((REFUSED, reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Skips in set-up (fixtures, ``skipif`` marks) and in the test body."""
    report = yield
    _refuse(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Skips of a whole module at import (``pytest.importorskip``, ``allow_module_level``)."""
    report = yield
    _refuse(report)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line: skips seen, refused by CI, allowed by the list."""
    stats = terminalreporter.stats
    skipped = [r for r in stats.get("skipped", []) if not hasattr(r, "wasxfail")]
    failed = stats.get("failed", []) + stats.get("error", [])
    refused = [
        r
        for r in failed
        if any(name == REFUSED for name, _ in getattr(r, "user_properties", ()))
        or str(getattr(r, "longrepr", "")).startswith("CI=true refuses this skip")
    ]
    let_through = sum(allowed(_reason(r)) for r in skipped)
    mode = "CI=true: skips fail" if ci_is_on() else "CI not set: skips allowed"
    terminalreporter.write_line(
        f"skip summary ({mode}): {len(skipped)} skipped, {len(refused)} skips refused as "
        f"failures, {let_through} let through by ALLOWED_SKIPS"
    )
