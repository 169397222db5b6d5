"""Names a package exports but imports only when first used (PEP 562 module ``__getattr__``).

``followup_xl`` (its ``Office`` and results), ``followup_xl.api`` (the functions whose modules
pull in the merge, the hand-over or the template writer) and ``followup_xl.io.master`` (its
reader and writer) use it, so importing one of them costs only what is used.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def names(package: str, origin: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``name`` is taken from the module
    ``origin[name]`` (relative to ``package``) on first use, then kept on the package."""

    def __getattr__(name: str) -> Any:
        if name not in origin:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(origin[name], package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
