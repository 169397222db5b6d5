"""A faithful fake of the few xlwings objects the button code touches.

Behaves like xlwings on Windows/macOS where it matters: a single cell's value is
a scalar, a row or column a 1-D list, a block a 2-D list (``options(ndim=2)``
always 2-D); empty cells are None; date cells come back as datetime; a list
assigned to a cell spills right/down; adding a note where one exists fails, as
Excel's AddComment does; sheet names must be unique.

As strict as Excel through xlwings 0.37 (_xlwindows.py): every number comes back as a
float (COM hands Excel's doubles over; 1001 reads 1001.0), booleans stay booleans; the
seven classic errors read None (their text with ``err_to_str``), every newer one
(#SPILL!, #CALC!, #GETTING_DATA…) comes back as the raw COM integer xlwings leaves
unmapped; sheet names compare case-insensitively (Excel's rule, for lookup and for
adding); a protected sheet refuses formats unless its protection allows formatting
cells, and notes unless it allows editing objects (as Excel's COM calls fail).
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

# xlwings' cell_errors (_xlwindows.py): the only error codes it turns into None / text.
CLASSIC_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")
# Excel's error numbers (CVErr): COM hands an error over as -2146828288 + the number.
ERROR_NUMBERS = {
    "#NULL!": 2000,
    "#DIV/0!": 2007,
    "#VALUE!": 2015,
    "#REF!": 2023,
    "#NAME?": 2029,
    "#NUM!": 2036,
    "#N/A": 2042,
    "#GETTING_DATA": 2043,
    "#SPILL!": 2045,
    "#CONNECT!": 2046,
    "#BLOCKED!": 2047,
    "#UNKNOWN!": 2048,
    "#FIELD!": 2049,
    "#CALC!": 2050,
    "#BUSY!": 2051,
}
COM_ERROR_BASE = -2146828288


class ComError(Exception):
    """What pywin32 raises when Excel refuses a call (e.g. formatting a protected sheet)."""


def _as_com_reads(v):
    """A stored value as xlwings hands it back: numbers as floats (bool is not a number here)."""
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


_REF = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


class FakeFormula(str):
    """What Excel makes of a string assigned through ``.value`` that starts like a formula."""


def _as_excel_parses(v):
    """Excel parses a string set through ``.value`` as if it were typed: a leading apostrophe
    means text (and is not kept in the value); ``=``, ``+``, ``@`` or ``-`` followed by a
    non-number start a formula."""
    if not isinstance(v, str) or not v:
        return v
    if v.startswith("'"):
        return v[1:]
    if v[0] in "=+@" or (v[0] == "-" and not v[1:].replace(".", "", 1).isdigit()):
        return FakeFormula(v)
    return v


def _frame_grid(frame) -> list[list]:
    """A pandas DataFrame as xlwings' default converter writes it: the index, then the header row
    over the values; numpy scalars as Python values, NaN and NaT as empty cells."""

    def plain(x):
        x = x.item() if hasattr(x, "item") else x
        return None if x != x else x  # NaN, NaT

    header = [frame.index.name, *frame.columns]
    return [header] + [[plain(i), *map(plain, row)] for i, *row in frame.itertuples()]


class FakeNote:
    def __init__(self, sheet, key, text):
        self._sheet, self._key, self._text = sheet, key, text

    @property
    def text(self):
        return self._text

    @text.setter
    def text(self, value):
        self._sheet.refuse_unless("objects", "Unable to set the Text property")
        self._text = self._sheet.notes[self._key] = value

    def delete(self):
        self._sheet.refuse_unless("objects", "Delete method of Comment class failed")
        self._sheet.notes.pop(self._key, None)


class FakeRange:
    note_class = FakeNote

    def __init__(self, sheet, r1, c1, r2=None, c2=None, ndim=None, err_to_str=False):
        self.sheet, self.r1, self.c1 = sheet, r1, c1
        self.r2, self.c2 = r2 or r1, c2 or c1
        self._ndim, self._err_to_str = ndim, err_to_str

    # position
    @property
    def row(self):
        return self.r1

    @property
    def column(self):
        return self.c1

    @property
    def address(self):
        a = f"${get_column_letter(self.c1)}${self.r1}"
        return (
            a
            if (self.r1, self.c1) == (self.r2, self.c2)
            else f"{a}:${get_column_letter(self.c2)}${self.r2}"
        )

    def options(self, ndim=None, err_to_str=False, **_):
        return type(self)(
            self.sheet, self.r1, self.c1, self.r2, self.c2, ndim=ndim, err_to_str=err_to_str
        )

    def _get(self, r, c):
        if (r, c) in self.sheet.errors:
            text = self.sheet.errors[(r, c)]
            if text not in CLASSIC_ERRORS:  # xlwings leaves the newer errors as COM's integer
                return COM_ERROR_BASE + ERROR_NUMBERS[text]
            return text if self._err_to_str else None  # the classic seven: None, or their text
        return _as_com_reads(self.sheet.cells.get((r, c)))

    def _cells(self):
        return [(r, c) for r in range(self.r1, self.r2 + 1) for c in range(self.c1, self.c2 + 1)]

    # values
    @property
    def value(self):
        grid = [
            [self._get(r, c) for c in range(self.c1, self.c2 + 1)]
            for r in range(self.r1, self.r2 + 1)
        ]
        if self._ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        if len(grid) == 1:
            return grid[0]
        if len(grid[0]) == 1:
            return [row[0] for row in grid]
        return grid

    @value.setter
    def value(self, v):
        if hasattr(v, "columns") and hasattr(v, "itertuples"):  # a DataFrame, as xlwings writes it
            v = _frame_grid(v)
        if isinstance(v, (list, tuple)) and v and isinstance(v[0], (list, tuple)):
            for i, row in enumerate(v):
                for j, x in enumerate(row):
                    self.sheet._set(self.r1 + i, self.c1 + j, x)
        elif isinstance(v, (list, tuple)):
            for j, x in enumerate(v):
                self.sheet._set(self.r1, self.c1 + j, x)
        else:
            for r, c in self._cells():
                self.sheet._set(r, c, v)

    # formatting
    @property
    def color(self):
        return self.sheet.colors.get((self.r1, self.c1))

    @color.setter
    def color(self, rgb):
        self.sheet.refuse_unless("format_cells", "Unable to set the Color property")
        for key in self._cells():
            if rgb is None:
                self.sheet.colors.pop(key, None)
            else:
                self.sheet.colors[key] = tuple(rgb)

    @property
    def note(self):
        key = (self.r1, self.c1)
        return (
            self.note_class(self.sheet, key, self.sheet.notes[key])
            if key in self.sheet.notes
            else None
        )

    def add_note(self, text):
        self.sheet.refuse_unless("objects", "Application-defined or object-defined error")
        key = (self.r1, self.c1)
        if key in self.sheet.notes:
            raise RuntimeError(
                "Application-defined or object-defined error (a note already exists)"
            )
        self.sheet.notes[key] = text
        return self.note_class(self.sheet, key, text)

    def add_hyperlink(self, address, text_to_display=None, screen_tip=None):
        self.sheet.links[(self.r1, self.c1)] = address
        self.sheet._set(
            self.r1, self.c1, text_to_display if text_to_display is not None else address
        )


class _NoteProxy:
    pass


class FakeSheet:
    range_class = FakeRange

    def __init__(self, book, name):
        self.book, self.name = book, name
        self.cells, self.colors, self.notes, self.links = {}, {}, {}, {}
        self.errors = {}  # (row, col) → "#N/A" etc.: cells holding an Excel error value
        # None: not protected; else what the protection allows ({"format_cells": bool, "objects": bool})
        self.protection: dict | None = None

    def refuse_unless(self, allowed: str, what: str) -> None:
        if self.protection is not None and not self.protection.get(allowed):
            raise ComError(f"{what}: the sheet '{self.name}' is protected")

    def _set(self, r, c, v, typed=True):
        self.errors.pop((r, c), None)
        if typed:
            v = _as_excel_parses(v)
        if v is None or v == "":
            self.cells.pop((r, c), None)
        else:
            self.cells[(r, c)] = v

    def range(self, ref):
        m = _REF.match(ref.upper())
        if not m:
            raise ValueError(f"bad reference {ref}")
        c1, r1 = column_index_from_string(m.group(1)), int(m.group(2))
        if m.group(3):
            return self.range_class(
                self, r1, c1, int(m.group(4)), column_index_from_string(m.group(3))
            )
        return self.range_class(self, r1, c1)

    __getitem__ = range

    @property
    def used_range(self):
        if not self.cells and not self.errors:
            return self.range_class(self, 1, 1)
        rows = [r for r, _ in [*self.cells, *self.errors]]
        cols = [c for _, c in [*self.cells, *self.errors]]
        return self.range_class(self, min(rows), min(cols), max(rows), max(cols))

    def activate(self):
        self.book.active_sheet = self

    def delete(self):
        self.book.sheets._sheets.remove(self)


class FakeSheets:
    def __init__(self, book):
        self.book, self._sheets = book, []

    def __iter__(self):
        return iter(list(self._sheets))

    def __len__(self):
        return len(self._sheets)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._sheets[key]
        for s in self._sheets:
            if s.name.casefold() == key.casefold():  # Excel: sheet names ignore case
                return s
        raise KeyError(key)

    def add(self, name=None, before=None, after=None):
        if name and any(s.name.casefold() == name.casefold() for s in self._sheets):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = self.book.sheet_class(self.book, name or f"Sheet{len(self._sheets) + 1}")
        if before is not None:
            self._sheets.insert(self._sheets.index(before), sheet)
        elif after is not None:
            self._sheets.insert(self._sheets.index(after) + 1, sheet)
        else:
            self._sheets.insert(0, sheet)
        return sheet


class FakeApp:
    def __init__(self):
        self.alerts = []
        self.statuses = []  # every status_bar text set, in order (False restores Excel's own)

    @property
    def status_bar(self):
        return self.statuses[-1] if self.statuses else False

    @status_bar.setter
    def status_bar(self, value):
        self.statuses.append(value)

    def alert(self, prompt, title=None, **_):
        self.alerts.append((title, prompt))


class FakeBook:
    """An open workbook, seeded from an .xlsx the way Excel would show it."""

    sheet_class = FakeSheet

    def __init__(self, path):
        self.fullname = str(path)
        self.name = str(path).replace("\\", "/").rsplit("/", 1)[-1]
        self.app = FakeApp()
        self.sheets = FakeSheets(self)
        self.active_sheet = None
        wb = openpyxl.load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            sheet = self.sheet_class(self, ws.title)
            self.sheets._sheets.append(sheet)
            if ws.protection.sheet:  # OOXML: formatCells/objects true = that is locked too
                sheet.protection = {
                    "format_cells": not ws.protection.formatCells,
                    "objects": not ws.protection.objects,
                }
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if cell.data_type == "e":
                        sheet.errors[(cell.row, cell.column)] = v
                        continue
                    if isinstance(
                        v, dt.time
                    ):  # Excel hands a time back as a datetime on 1899-12-30
                        v = dt.datetime.combine(dt.date(1899, 12, 30), v)
                    elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                        v = dt.datetime(v.year, v.month, v.day)
                    if v is not None and v != "":
                        sheet.cells[(cell.row, cell.column)] = v
