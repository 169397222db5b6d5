"""One pass over each worksheet's XML before python-calamine reads it: error cells and extent.

calamine reads Excel error values (#N/A, #REF!…) as blanks, and builds a dense grid
from the first used cell to the last: one stray cell at XFD1048576 asks it for
512 GiB and aborts the whole process (no exception to catch). This pass finds both,
in time linear in the sheet's size, so the reader can read such a sheet sparsely.

Cheap for ordinary books: a sheet whose cell references are all one letter wide
(columns A–Z) cannot make a large grid, so one regex search settles it; only wider
sheets are looked at cell by cell.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...schema import TOOL_SHEETS
from ..package import Package, opened_zip

GRID_LIMIT = 16_000_000  # cells of dense grid (≈0.5 GiB in calamine) a sheet may ask for…
SPARSE_RATIO = 8  # …unless it really holds more than 1/8 of them
HEADER_ROWS = 30  # the reader looks for the header line in the first 30 rows
BODY_WINDOW = 32_768  # a cell's formula and value fit in this (Excel's formula limit is 8,192)

_SHEET_RE = re.compile(rb'<sheet\b[^>]*?\bname="([^"]+)"[^>]*?\br:id="([^"]+)"', re.S)
_REL_RE = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"', re.S)
_REL_RE2 = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]+)"[^>]*?\bId="([^"]+)"', re.S)
_ERROR_TAG_RE = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>')
_REF_RE = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_VALUE_RE = re.compile(rb"<v>([^<]*)</v>")
# Literal prefixes, so the regex engine skips ahead fast (a leading \b would make these 5x slower).
_UNPLACED_RE = re.compile(
    rb'<c(?! r=")[\s>/]'
)  # a cell not written <c r="…" (as Excel, WPS, LibreOffice do)
_WIDE_RE = re.compile(rb'<c r="[A-Z]{2}')  # a column past Z
_VERY_WIDE_RE = re.compile(rb'<c r="[A-Z]{3}')  # a column past ZZ
_TALL_RE = re.compile(rb'<c r="[A-Z]{1,3}[0-9]{5}')  # a row past 9,999
_TAG_RE = re.compile(rb"<(row|c)\b([^>]*)>")
_PLACED_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_R_RE = re.compile(rb'\br="[0-9]{1,7}"')


@dataclass
class SheetScan:
    errors: dict[tuple[int, int], str] = field(
        default_factory=dict
    )  # (Excel row, 0-based col) → "#N/A"
    grid: int = 0  # cells of the dense grid calamine would build (0: known to be small)
    cells: int = 0  # cells (styled empty ones too)
    rows: int = 0  # the last row with a cell in the header area's columns
    rows_used: int = 0  # rows that hold a cell
    header_cols: int = 0  # 1-based last column used in the first HEADER_ROWS rows
    far: str = ""  # the farthest cell, as Excel names it

    @property
    def sparse(self) -> bool:
        """Too empty for a dense grid: read cell by cell instead."""
        return self.grid > GRID_LIMIT and self.grid > SPARSE_RATIO * max(self.cells, 1)


def col_index(letters: bytes) -> int:
    """b"A" → 1, b"XFD" → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def scan_workbook(source: str | Package) -> dict[str, SheetScan]:
    """Sheet name → what calamine will not tell us; {} when the package cannot be read this way.

    ``source``: a path, or the file's open ``Package``."""
    out: dict[str, SheetScan] = {}
    try:
        with opened_zip(source) as zf:
            names = set(zf.namelist())
            wb_xml = zf.read("xl/workbook.xml")
            rels = zf.read("xl/_rels/workbook.xml.rels")
            targets = {rid: tgt for rid, tgt in _REL_RE.findall(rels)}
            targets.update({rid: tgt for tgt, rid in _REL_RE2.findall(rels)})
            for name, rid in _SHEET_RE.findall(wb_xml):
                target = targets.get(rid, b"").decode()
                part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                sheet = html.unescape(name.decode())
                if part in names and sheet.strip() not in TOOL_SHEETS:  # never read as data
                    out[sheet] = scan_sheet(zf, part)
    except (KeyError, zipfile.BadZipFile, OSError, UnicodeDecodeError):
        return {}
    return out


CHUNK = 4 * 1024 * 1024
OVERLAP = 64  # longer than anything the searches match, so nothing is lost between chunks


def scan_sheet(zf: zipfile.ZipFile | bytes, part: str = "") -> SheetScan:
    """Streams the sheet once (a large master is not held in memory); reads it whole only when
    it has error cells or might ask for a large grid."""
    scan = SheetScan()
    errors = unplaced = wide = very_wide = tall = False
    for chunk, settled in _chunks(zf, part):
        errors = errors or b't="e"' in chunk
        if (
            not unplaced
        ):  # a tag cut at the chunk's end is looked at again, whole, in the next chunk
            m = _UNPLACED_RE.search(chunk)
            unplaced = m is not None and m.start() < settled
        wide = wide or _WIDE_RE.search(chunk) is not None
        if wide:
            very_wide = very_wide or _VERY_WIDE_RE.search(chunk) is not None
        tall = tall or _TALL_RE.search(chunk) is not None
    measure = unplaced or (wide and (very_wide or tall))
    if errors or measure:
        data = zf if isinstance(zf, bytes) else zf.read(part)
        if errors:
            scan.errors = error_cells(data)
        if measure:
            (_measure_tags if unplaced else _measure_refs)(data, scan)
    return scan


def _chunks(zf, part: str):
    """(text, how far it is settled): the last OVERLAP bytes of a chunk come again in the next one."""
    if isinstance(zf, bytes):
        yield zf, len(zf)
        return
    with zf.open(part) as fh:
        data = fh.read(CHUNK)
        while data:
            more = fh.read(CHUNK)
            yield data, (len(data) - OVERLAP if more else len(data))
            data = data[-OVERLAP:] + more if more else b""


def error_cells(data: bytes) -> dict[tuple[int, int], str]:
    """Every t="e" cell with its value; linear however the cells are written (self-closing too)."""
    cells: dict[tuple[int, int], str] = {}
    close = -1  # position of the next </c> at or after the current tag (-2: there is none)
    for m in _ERROR_TAG_RE.finditer(data):
        attrs = m.group(1)
        ref = _REF_RE.search(attrs)
        if ref is None or attrs.endswith(b"/"):
            continue
        if close != -2 and close < m.end():
            close = data.find(b"</c>", m.end())
            close = -2 if close < 0 else close
        if close == -2:
            break
        val = _VALUE_RE.search(data, m.end(), min(close, m.end() + BODY_WINDOW))
        if val:
            cells[(int(ref.group(2)), col_index(ref.group(1)) - 1)] = html.unescape(
                val.group(1).decode()
            )
    return cells


def _measure_refs(data: bytes, scan: SheetScan) -> None:
    """The dense grid, when every cell says where it is (C-level findall; a few cells a microsecond)."""
    refs = _PLACED_RE.findall(data)
    if not refs:
        return
    letters = {c for c, _ in refs}
    index = {c: col_index(c) for c in letters}
    cells = [(int(r), index[c]) for c, r in refs]
    rows = [r for r, _ in cells]
    cols = [index[c] for c in letters]
    head = max((c for r, c in cells if r <= HEADER_ROWS), default=0)
    far = max(cells)
    from ...models import column_letter

    scan.grid = (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1)
    scan.cells, scan.header_cols, scan.rows_used = len(cells), head, len(set(rows))
    scan.rows = max((r for r, c in cells if c <= head), default=0)
    scan.far = f"{column_letter(far[1] - 1)}{far[0]}"


def _measure_tags(data: bytes, scan: SheetScan) -> None:
    """The dense grid the sheet asks for, tag by tag (cells without a reference follow the last one)."""
    min_r = min_c = 1 << 30
    max_r = max_c = n = head = used = 0
    far = (0, 0)
    row, col, last = 0, 0, -1
    last_row_of_col: dict[int, int] = {}
    for m in _TAG_RE.finditer(data):
        if m.group(1) == b"row":
            ref = _ROW_R_RE.search(m.group(2))
            row, col = (int(ref.group(0)[3:-1]) if ref else row + 1), 0
            continue
        ref = _REF_RE.search(m.group(2))
        if ref:
            col, r = col_index(ref.group(1)), int(ref.group(2))
        else:
            col, r = col + 1, row
        n += 1
        if r != last:
            used, last = used + 1, r
        min_r, max_r, min_c, max_c = min(min_r, r), max(max_r, r), min(min_c, col), max(max_c, col)
        if last_row_of_col.get(col, 0) < r:
            last_row_of_col[col] = r
        if r <= HEADER_ROWS and col > head:
            head = col
        if (r, col) > far:
            far = (r, col)
    if n:
        from ...models import column_letter

        scan.grid = (max_r - min_r + 1) * (max_c - min_c + 1)
        scan.cells, scan.header_cols, scan.rows_used = n, head, used
        scan.rows = max((r for c, r in last_row_of_col.items() if c <= head), default=0)
        scan.far = f"{column_letter(far[1] - 1)}{far[0]}"


def _cells_in(letters: Iterable[bytes]) -> re.Pattern[bytes]:
    """A pattern for the cells of these columns that hold no formula (a cell's ``<f>`` comes first
    in it): every other cell is passed over inside the regular-expression engine, without
    reading its formula (a large customer book's formula cells are most of its XML)."""
    longest_first: list[bytes] = sorted(letters, key=len, reverse=True)  # AB before B
    alternatives = b"|".join(longest_first)
    return re.compile(
        rb'<c r="(' + alternatives + rb')([0-9]{1,7})"[^>]*?(?:/>|>(?!\s*<f)(.*?)</c>)', re.S
    )


def typed_over(
    source: str | Package, sheet_name: str, columns: dict[int, str], after_row: int
) -> list[tuple[int, str]]:
    """(Excel row, key) of each cell of ``columns`` (0-based index → formula column key) below
    ``after_row`` that holds a value but no formula: a formula column typed over by hand.
    calamine gives values only, so the sheet's XML is looked at; [] when it cannot be."""
    if not columns:
        return []
    from ...models import column_letter

    wanted = {column_letter(i).encode(): key for i, key in columns.items()}
    try:
        with opened_zip(source) as zf:
            wb_xml = zf.read("xl/workbook.xml")
            rels = zf.read("xl/_rels/workbook.xml.rels")
            targets = {rid: tgt for rid, tgt in _REL_RE.findall(rels)}
            targets.update({rid: tgt for tgt, rid in _REL_RE2.findall(rels)})
            part = None
            for name, rid in _SHEET_RE.findall(wb_xml):
                if html.unescape(name.decode()) == sheet_name:
                    target = targets.get(rid, b"").decode()
                    part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if part is None:
                return []
            data = zf.read(part)
    except (KeyError, zipfile.BadZipFile, OSError, UnicodeDecodeError):
        return []
    out = []
    for m in _cells_in(wanted).finditer(data):
        row = int(m.group(2))
        body = m.group(3) or b""
        if row > after_row and b"<f" not in body and (b"<v>" in body or b"<is>" in body):
            out.append((row, wanted[m.group(1)]))
    return out
