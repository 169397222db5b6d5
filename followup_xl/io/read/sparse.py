"""Reading a sheet too empty for python-calamine's dense grid, cell by cell (openpyxl streaming).

Only for sheets ``sheetscan`` flags: a stray value at XFD1048576 would make calamine
allocate the whole 16,384 × 1,048,576 grid. Columns right of the header area are
never mapped to a field, so reading up to the last column used in the first rows
loses nothing the reader would use.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import WorkbookTooLarge
from .sheetscan import GRID_LIMIT, SheetScan


def sparse_rows(path: str, sheet_name: str, scan: SheetScan) -> Iterator[list]:
    """The sheet's rows as the dense reader gives them (row i is Excel row i+1, blanks as "")."""
    width = max(scan.header_cols, 1)
    if width * scan.rows_used > GRID_LIMIT:
        raise WorkbookTooLarge(
            "read.far_cell", far=scan.far, path=path, sheet=sheet_name, cell=scan.far
        )
    import openpyxl

    errors_by_row: dict[int, list[int]] = {}
    for r, c in scan.errors:
        errors_by_row.setdefault(r, []).append(c)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet_name]
        for i, row in enumerate(
            ws.iter_rows(min_row=1, max_row=scan.rows, max_col=width, values_only=True), 1
        ):
            if row.count(None) == len(row):
                yield []
                continue
            out = ["" if v is None else v for v in row]
            for c in errors_by_row.get(i, ()):  # error values are blanks, as calamine reads them
                if c < len(out):
                    out[c] = ""
            yield out
    finally:
        wb.close()
