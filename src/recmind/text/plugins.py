"""Backends by name: the built-in ones registered in code, others found as entry points.

A :class:`PluginRegistry` maps configuration names (``RECMIND_ENCODER=minilm``,
``RECMIND_LLM__BACKEND=openai``) to plugins. recmind registers its own backends with
:meth:`PluginRegistry.register`; a third-party distribution adds one by declaring an entry
point in the registry's group, for example in its ``pyproject.toml``::

    [project.entry-points."recmind.encoders"]
    my-encoder = "my_package.encoders:MyEncoder"

An entry point is loaded only when its name is asked for, so a broken plugin never stops the
others from working; it is reported, with the reason, when it is asked for.
"""

from __future__ import annotations

import importlib.metadata
import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class UnknownPluginError(ValueError):
    """No plugin of a registry has the name asked for (the message lists those it has)."""


class PluginLoadError(RuntimeError):
    """An entry point exists under the name but cannot be loaded or is not a valid plugin."""


def normalise_name(name: str) -> str:
    """The name as registries store it: stripped and lower-cased."""
    return name.strip().lower()


class PluginRegistry(Generic[T]):
    """Named plugins of one kind: built-in ones plus the entry points of ``group``.

    Args:
        kind: What a plugin is, for messages (``"encoder"``, ``"generator backend"``).
        group: The entry-point group third-party plugins declare (``"recmind.encoders"``).
        check: Called with a loaded entry point's object; returns it as a plugin or raises
            ``TypeError`` saying what is wrong with it.
    """

    def __init__(self, kind: str, group: str, check: Callable[[object], T]) -> None:
        self.kind = kind
        self.group = group
        self._check = check
        self._plugins: dict[str, T] = {}
        self._lock = threading.Lock()

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering a built-in plugin under ``name``."""

        def decorate(plugin: T) -> T:
            self.add(name, plugin)
            return plugin

        return decorate

    def add(self, name: str, plugin: T) -> None:
        """Register ``plugin`` under ``name``; a name is registered once."""
        key = normalise_name(name)
        with self._lock:
            if key in self._plugins:
                raise ValueError(f"{self.kind} {key!r} is registered twice")
            self._plugins[key] = plugin

    def _entry_points(self) -> dict[str, importlib.metadata.EntryPoint]:
        found = importlib.metadata.entry_points(group=self.group)
        return {normalise_name(point.name): point for point in found}

    def names(self) -> list[str]:
        """Every name that can be asked for: built-in ones first, then entry points."""
        with self._lock:
            builtin = list(self._plugins)
        return builtin + sorted(set(self._entry_points()) - set(builtin))

    def get(self, name: str) -> T:
        """The plugin called ``name`` (case and surrounding blanks ignored).

        Raises:
            UnknownPluginError: Nothing is registered or declared under that name.
            PluginLoadError: The entry point of that name fails to load or is not valid.
        """
        key = normalise_name(name)
        with self._lock:
            if key in self._plugins:
                return self._plugins[key]
        point = self._entry_points().get(key)
        if point is None:
            raise UnknownPluginError(
                f"unknown {self.kind} {name!r}; registered: {', '.join(self.names())} "
                f"(plugins add more through the entry-point group {self.group!r})"
            )
        try:
            plugin = self._check(point.load())
        except Exception as exc:
            raise PluginLoadError(
                f"{self.kind} plugin {key!r} ({point.value}, entry-point group "
                f"{self.group!r}) cannot be used: {type(exc).__name__}: {exc}"
            ) from exc
        with self._lock:
            plugin = self._plugins.setdefault(key, plugin)
        logger.info("loaded %s plugin %r from %s", self.kind, key, point.value)
        return plugin
