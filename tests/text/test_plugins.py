"""The plugin registry: built-in names, entry points loaded on demand, clear errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from recmind.text.plugins import PluginLoadError, PluginRegistry, UnknownPluginError

GROUP = "recmind.tests.things"

PluginDistribution = Callable[[str, str, dict[str, str]], None]


def as_int(plugin: object) -> int:
    if not isinstance(plugin, int):
        raise TypeError(f"{plugin!r} is not an int")
    return plugin


def test_built_in_names_in_registration_order() -> None:
    registry: PluginRegistry[int] = PluginRegistry("thing", GROUP, as_int)
    registry.add("Two", 2)
    assert registry.register("one")(1) == 1
    assert registry.names() == ["two", "one"]
    assert registry.get(" TWO ") == 2
    with pytest.raises(ValueError, match="registered twice"):
        registry.add("two", 3)


def test_unknown_name_lists_the_registered_ones() -> None:
    registry: PluginRegistry[int] = PluginRegistry("thing", GROUP, as_int)
    registry.add("one", 1)
    with pytest.raises(UnknownPluginError, match=r"unknown thing 'zero'; registered: one"):
        registry.get("zero")


def test_entry_points_are_found_and_loaded_on_demand(
    plugin_distribution: PluginDistribution,
) -> None:
    plugin_distribution(
        "things_plugin",
        """
        SEVEN = 7
        NOT_A_NUMBER = "seven"
        """,
        {
            GROUP: "seven = things_plugin:SEVEN\nbroken = things_plugin:NOT_A_NUMBER\n"
            "missing = no_such_module:X"
        },
    )
    registry: PluginRegistry[int] = PluginRegistry("thing", GROUP, as_int)
    registry.add("one", 1)
    assert registry.names() == ["one", "broken", "missing", "seven"]
    assert registry.get("Seven") == 7
    with pytest.raises(PluginLoadError, match=r"thing plugin 'broken'.*is not an int"):
        registry.get("broken")
    with pytest.raises(PluginLoadError, match=r"'missing' \(no_such_module:X.*ModuleNotFound"):
        registry.get("missing")
    assert registry.get("one") == 1  # a broken plugin does not stop the others
