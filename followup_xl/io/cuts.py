"""Texts cut to fit an Excel cell, recorded where they were written and said once.

Kept apart from io/xlsx.py (XlsxWriter) so that every command can open a ``cut_cells`` block
without loading a writer (cli/common.guarded does, for each command).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

EXCEL_CELL_CHARS = 32_767  # the most an Excel cell holds (UTF-16 units)


def excel_length(text: str) -> int:
    """How long Excel counts ``text``: UTF-16 units (a character beyond U+FFFF counts two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass
class CutCell:
    """A text longer than an Excel cell holds, cut to its first 32,767 units where it was written.

    ``path`` is the file as it was written (often the temporary name beside the output);
    ``where()`` names the output it became (os.replace keeps the file's identity)."""

    path: str
    sheet: str
    cell: str
    length: int
    identity: tuple[int, int] | None = None
    reported: bool = False

    def file(self) -> str:
        folder = os.path.dirname(self.path)
        if self.identity is not None and not os.path.exists(self.path):
            with contextlib.suppress(OSError), os.scandir(folder or ".") as entries:
                for entry in entries:
                    with contextlib.suppress(OSError):
                        st = entry.stat(follow_symlinks=False)
                        if (st.st_dev, st.st_ino) == self.identity:
                            return entry.path
        return self.path

    def where(self) -> str:
        return " › ".join((os.path.basename(self.file()), self.sheet, self.cell))


_CUT_LOGS: list[list[CutCell]] = []


@contextlib.contextmanager
def cut_cells() -> Iterator[list[CutCell]]:
    """Every text cut to fit an Excel cell while the block runs, by any writer (nested blocks each
    see them; one that reports a cut sets ``reported`` so an outer one does not say it twice)."""
    found: list[CutCell] = []
    _CUT_LOGS.append(found)
    try:
        yield found
    finally:
        _CUT_LOGS.remove(found)


def record_cut(path, sheet: str, cell: str, length: int) -> None:
    """Tell every open ``cut_cells`` block that ``sheet``!``cell`` of ``path`` lost its end."""
    identity, name = None, os.fspath(path) if isinstance(path, (str, os.PathLike)) else ""
    if name:
        with contextlib.suppress(OSError, ValueError):
            st = os.stat(name)
            identity = (st.st_dev, st.st_ino)
    cut = CutCell(name, sheet, cell, length, identity)
    for log in _CUT_LOGS:
        log.append(cut)


def take_cuts(cut: list[CutCell], path: str | os.PathLike | None = None) -> list[dict]:
    """The ``output.cell_cut`` message parameters of each cut not reported yet (then marked
    reported); a cut recorded without a file (an openpyxl cell) is named as being in ``path``."""
    out = []
    for c in cut:
        if c.reported:
            continue
        if not c.path and path is not None:
            c.path = os.fspath(path)
        c.reported = True
        out.append({"where": c.where(), "length": c.length, "limit": EXCEL_CELL_CHARS})
    return out
