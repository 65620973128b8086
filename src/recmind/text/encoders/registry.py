"""Sentence encoders by name (``RECMIND_ENCODER``): ``minilm``, ``minilm-onnx`` and ``e5``
built in, more as plugins.

An encoder plugin is a class (or any callable without arguments) returning an object that
satisfies :class:`~recmind.text.encoders.base.Encoder` (subclassing
:class:`~recmind.text.encoders.base.BatchEncoder` gives batching and lazy loading), declared
in the ``recmind.encoders`` entry-point group::

    [project.entry-points."recmind.encoders"]
    my-encoder = "my_package.encoders:MyEncoder"

after which ``RECMIND_ENCODER=my-encoder`` selects it. Give it a ``revision`` attribute that
changes with its weights: the embedding cache keys vectors by name and revision.
"""

from __future__ import annotations

from collections.abc import Callable

from recmind.config import DEFAULT_ENCODER
from recmind.text.encoders.base import Encoder
from recmind.text.encoders.e5 import E5Encoder
from recmind.text.encoders.minilm import MiniLMEncoder
from recmind.text.encoders.onnx_minilm import OnnxMiniLMEncoder
from recmind.text.plugins import PluginLoadError, PluginRegistry

EncoderFactory = Callable[[], Encoder]
"""Builds a (not yet loaded) encoder."""


def _as_factory(plugin: object) -> EncoderFactory:
    if not callable(plugin):
        raise TypeError(f"{plugin!r} is not callable (a class or a function building an encoder)")
    return plugin


ENCODERS: PluginRegistry[EncoderFactory] = PluginRegistry(
    "encoder", "recmind.encoders", _as_factory
)
"""Every encoder by configuration name."""

for _builtin in (MiniLMEncoder, OnnxMiniLMEncoder, E5Encoder):
    ENCODERS.add(_builtin.name, _builtin)


def available_encoders() -> list[str]:
    """Names ``RECMIND_ENCODER`` accepts: the built-in encoders, then plugins."""
    return ENCODERS.names()


def create_encoder(name: str = DEFAULT_ENCODER) -> Encoder:
    """A (not yet loaded) encoder by name.

    Raises:
        UnknownPluginError: No encoder has that name (a ``ValueError`` listing the registered
            ones).
        PluginLoadError: The plugin of that name cannot be loaded, or builds something that
            is not an encoder.
    """
    encoder = ENCODERS.get(name)()
    if not isinstance(encoder, Encoder):
        raise PluginLoadError(
            f"encoder {name!r} built {encoder!r}, which lacks name, dim or encode()"
        )
    return encoder
