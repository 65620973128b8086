"""LLM settings: the default thread count follows the CPUs this process may use."""

from __future__ import annotations

import os

import pytest

from recmind.config import llm as llm_settings
from recmind.config.llm import MAX_DEFAULT_THREADS, LLMSettings, default_threads


def test_default_threads_is_the_usable_cpus() -> None:
    assert default_threads() == min(len(os.sched_getaffinity(0)), MAX_DEFAULT_THREADS)
    assert LLMSettings().n_threads == default_threads()


def test_default_threads_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm_settings.os, "sched_getaffinity", lambda pid: set(range(64)))
    assert default_threads() == MAX_DEFAULT_THREADS


def test_threads_can_be_set() -> None:
    assert LLMSettings(n_threads=1).n_threads == 1
    with pytest.raises(ValueError, match="n_threads"):
        LLMSettings(n_threads=0)
