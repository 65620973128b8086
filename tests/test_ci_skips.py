"""The CI skip hook (``tests/ci_skips.py``), driven in a separate pytest run: under CI=true a
skip fails with its reason, whatever raised it; without CI it stays a skip; xfail and the
allow-list are left alone; the summary line counts them."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PLUGIN = Path(__file__).with_name("ci_skips.py")

SKIPS = """
import pytest

@pytest.fixture
def service():
    pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")

def test_fixture_skip(service):
    pass

def test_body_skip():
    pytest.skip("llama-cpp-python is not installed")

@pytest.mark.skipif(True, reason="the sequential source needs torch")
def test_mark_skip():
    pass

@pytest.mark.xfail(reason="known", strict=False)
def test_xfail():
    assert False

def test_passes():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(plugin_under_test=PLUGIN.read_text())
    pytester.syspathinsert()
    pytester.makepyfile(test_skips=SKIPS)
    return pytester


def test_ci_turns_every_kind_of_skip_into_a_failure(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest("-p", "plugin_under_test", "-p", "no:cacheprovider")
    # a skip in set-up (a fixture, a skipif mark) becomes a set-up error, as any failure there
    result.assert_outcomes(passed=1, failed=1, errors=2, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*CI=true refuses this skip: PostgreSQL is not reachable on 127.0.0.1:5432*",
            "*CI=true refuses this skip: the sequential source needs torch*",
            "*CI=true refuses this skip: llama-cpp-python is not installed*",
            "*skip summary (CI=true: skips fail): 0 skipped, 3 skips refused as failures, "
            "0 let through by ALLOWED_SKIPS*",
        ]
    )


@pytest.mark.parametrize("value", ["", "false", "0"])
def test_without_ci_a_skip_stays_a_skip(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    result = suite.runpytest("-p", "plugin_under_test", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=3, xfailed=1)
    result.stdout.fnmatch_lines(
        ["*skip summary (CI not set: skips allowed): 3 skipped, 0 skips refused as failures*"]
    )


def test_a_module_level_skip_fails_under_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(plugin_under_test=PLUGIN.read_text())
    pytester.syspathinsert()
    pytester.makepyfile(
        test_module_skip="import pytest\n"
        "pytest.importorskip('a_package_make_installs_but_is_gone')\n"
        "def test_never_runs():\n    pass\n"
    )
    monkeypatch.setenv("CI", "1")
    result = pytester.runpytest("-p", "plugin_under_test", "-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*CI=true refuses this skip*a_package_make_installs_but_is_gone*"])


def test_the_allow_list_lets_a_platform_skip_through(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow = 'ALLOWED_SKIPS: tuple[tuple[str, str], ...] = (("needs torch", "documented"),)'
    source = PLUGIN.read_text().replace("ALLOWED_SKIPS: tuple[tuple[str, str], ...] = ()", allow)
    assert source != PLUGIN.read_text()
    suite.makepyfile(plugin_under_test=source)
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest("-p", "plugin_under_test", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1, errors=1, skipped=1, xfailed=1)
    result.stdout.fnmatch_lines(["*1 skipped, 2 skips refused as failures, 1 let through*"])


def test_refusals_survive_xdist_workers(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest_subprocess(
        "-p", "plugin_under_test", "-p", "no:cacheprovider", "-n", "2"
    )
    result.assert_outcomes(passed=1, failed=1, errors=2, xfailed=1)
    result.stdout.fnmatch_lines(["*0 skipped, 3 skips refused as failures*"])


def test_this_suite_runs_with_the_hook(request: pytest.FixtureRequest) -> None:
    plugin = request.config.pluginmanager.get_plugin("recmind-ci-skips")
    assert plugin is not None
    assert Path(plugin.__file__) == PLUGIN
