"""The master on disk: read once, written whole. Nothing outside this package reads or writes
the master's own sheets.

``read(path) -> MasterState`` opens the file once (one file handle, one python-calamine
workbook) for its book and every sheet of its own; ``write(path, outcome, state)`` writes the
next generation from what a merge or a hand-over made and what ``state`` carries forward.

The names are loaded on first use: `validate` reads a master's cells through ``io.master.book``
without importing the merge and the master writer that ``write`` needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import lazy

if TYPE_CHECKING:
    from .save import Outcome, write
    from .state import MasterState, combined, read
    from .writer import Layout

__all__ = ["Layout", "MasterState", "Outcome", "combined", "read", "write"]

__getattr__ = lazy.names(
    __name__,
    {
        "Outcome": ".save",
        "write": ".save",
        "MasterState": ".state",
        "combined": ".state",
        "read": ".state",
        "Layout": ".writer",
    },
)
