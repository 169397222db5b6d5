"""What a master was written with, so `verify` sees every hand edit (issue 25, item 10).

The 校验码 of a row shows an edit to that row's content only. A blanked code, a deleted 校验码
column, deleted and inserted rows, edited provenance cells and edits to 人员/规则/节假日 need
to know what the master held when it was written. The writer keeps that on a very hidden sheet
(``CHECK_SHEET``, never read as data) whose digest goes into the master's signed stamp:

* for every customer, call and trigger row, in order: its id, its 校验码 and its provenance
  cells (来源文件 and a non-usual 来源工作表 as numbers into a table of names, 来源行 as is),
  many rows to a cell, so 550,000 rows make about 1,100 cells;
* for every row of 人员, 规则 and 节假日: the text of each of its cells (they are small).

Pure: the writer hands rows in as it writes them (``Recorder``), verify hands in the master as
read and the sheet's rows as read (``parse``, ``compare``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import fingerprint, schema
from .fingerprint import Mismatch
from .models import Book, Record, Source, column_letter, own_id

CHECK_SHEET = "_followup_check"  # (schema.TOOL_SHEETS)
MAGIC = "followup-xl check"
VERSION = "1"
CHUNK_ROWS = 500  # rows of a data sheet per cell
CHUNK_CHARS = 30_000  # and never more text than this in one cell (Excel keeps 32,767)
DATA = fingerprint.SHEETS  # customers, calls, events: rows with a 校验码
TABLES = ("staff", "rules", "holidays", "follow_up_rules")  # kept whole, cell by cell
ID_FIELD = {"customers": "customer_id", "calls": "record_id", "events": "event_id"}
PROVENANCE = tuple(c.key for c in schema.PROVENANCE)  # src_file, src_sheet, src_row
_SEPARATORS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


CELL_MAX = 32_767  # what XlsxWriter keeps of a longer text (it cuts there: io/xlsx.py records it)
ID_MAX = 1_000  # an id longer than this is kept (and compared) by its start


def clean_id(v) -> str:
    """A row's id as the check sheet keeps it (tabs and line breaks separate its fields)."""
    if v is None:
        return ""
    s = v if type(v) is str else str(v)
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.translate(_SEPARATORS)
    return s[:ID_MAX]


def cell_texts(rec: Record) -> list[str]:
    """A 人员/规则/节假日 row as text, cell by cell: its columns, then ``header=value`` of office columns
    (each as much as a cell keeps, so a text cut to fit its cell compares equal)."""
    out = [fingerprint._text(rec.raw(k))[:CELL_MAX] for k in rec.SHEET.keys]
    extra = rec.extra
    if extra:
        out += [
            f"{h}={fingerprint._text(v)[:CELL_MAX]}"[:CELL_MAX]
            for h, v in sorted(extra.items())
            if v not in (None, "")
        ]
    return out


class Recorder:
    """Collects, while the master's sheets are written, the rows of its check sheet."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}  # 来源文件 / 来源工作表 text → its number
        self._places: dict[tuple[str, str], str] = {}  # (file, sheet) → "n\tm"
        self.sheets: list[list[str]] = []  # ["s", key, sheet name, rows]
        self.chunks: list[list[str]] = []  # ["r", key, sheet name, rows packed]
        self.tables: list[list[str]] = []  # ["t", key, sheet name, cell texts…]

    def place(self, file: str, sheet: str) -> str:
        """The provenance file and sheet of a row as two numbers (the same few repeat)."""
        got = self._places.get((file, sheet))
        if got is None:
            got = self._places[(file, sheet)] = (
                f"{self._name(file)}\t{self._name(sheet) if sheet else ''}"
            )
        return got

    def _name(self, text: str) -> int:
        n = self.names.get(text)
        if n is None:
            n = self.names[text] = len(self.names)
        return n

    def data_sheet(self, key: str, name: str, rows: list[str]) -> None:
        """One data sheet's rows (``id\\tcode\\tfile\\tsheet\\trow`` each), in the order written."""
        self.sheets.append(["s", key, name, str(len(rows))])
        i = 0
        while i < len(rows):
            part = rows[i : i + CHUNK_ROWS]
            text = "\n".join(part)
            while len(text) > CHUNK_CHARS and len(part) > 1:
                part = part[: len(part) // 2]
                text = "\n".join(part)
            self.chunks.append(["r", key, name, text])
            i += len(part)

    def table_sheet(self, key: str, name: str, records: Sequence[Record]) -> None:
        self.sheets.append(["s", key, name, str(len(records))])
        self.tables += [["t", key, name, *cell_texts(rec)] for rec in records]

    def rows(self) -> list[list[str]]:
        """The check sheet, row by row (every cell text)."""
        names = [["f", text] for text in self.names]
        return [[MAGIC, VERSION], *names, *self.sheets, *self.chunks, *self.tables]


def digest(rows: Iterable[Sequence[str]]) -> str:
    """The digest of the check sheet's rows (trailing blank cells left out), signed in the stamp."""
    h = hashlib.sha256()
    for row in rows:
        cells = list(row)
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            continue
        h.update("\x1f".join(cells).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()[:32]


@dataclass(slots=True)
class Written:
    """One data row as the master was written: where, its id, 校验码 and provenance texts."""

    sheet: str
    row: int  # its Excel row then
    id: str
    code: str
    prov: tuple[str, str, str]


@dataclass
class Expected:
    """The check sheet read back."""

    sheets: dict[str, list[str]] = field(default_factory=dict)  # key → sheet names written
    rows: dict[str, list[Written]] = field(default_factory=dict)
    tables: dict[str, list[list[str]]] = field(default_factory=dict)  # key → rows of cell texts


def parse(rows: Iterable[Sequence[str]]) -> Expected | None:
    """The check sheet's rows back (None: not one the writer made)."""
    got = [[("" if v is None else str(v)) for v in r] for r in rows]
    if not got or got[0][:2] != [MAGIC, VERSION]:
        return None
    out = Expected()
    names: list[str] = []
    positions: dict[tuple[str, str], int] = {}
    try:
        for r in got[1:]:
            tag = r[0]
            if tag == "f":
                names.append(r[1])
            elif tag == "s":
                out.sheets.setdefault(r[1], []).append(r[2])
            elif tag == "r":
                key, name = r[1], r[2]
                written = out.rows.setdefault(key, [])
                for line in r[3].split("\n"):
                    rid, code, fi, si, srow = line.split("\t")
                    n = positions[(key, name)] = positions.get((key, name), 1) + 1
                    file = names[int(fi)] if fi else ""
                    sheet = names[int(si)] if si else ""
                    written.append(Written(name, n, rid, code, (file, sheet, srow)))
            elif tag == "t":
                cells = r[3:]
                while cells and cells[-1] == "":
                    cells.pop()
                out.tables.setdefault(r[1], []).append(cells)
    except (IndexError, ValueError):
        return None
    return out


# --- comparing -------------------------------------------------------------------------------


def _prov(origin: Source | None, sheet: schema.SheetDef) -> tuple[str, str, str]:
    """A row's provenance cells as read (verify reads the master with provenance=False)."""
    if origin is None:
        return ("", "", "")
    place = "" if not origin.sheet or origin.sheet == sheet.zh else origin.sheet
    return (origin.file, place, "" if origin.row is None else str(origin.row))


@dataclass(slots=True)
class _Read:
    sheet: str
    row: int
    id: str
    stored: str | None  # None: the sheet has no 校验码 column
    rec: Record
    col: int | None  # the 校验码 column

    @property
    def cell(self) -> str:
        return "" if self.col is None else f"{column_letter(self.col)}{self.row}"


def _read_rows(book: Book, key: str, own: int) -> tuple[list[_Read], list[str], list[str]]:
    """The master's own rows of one kind (not its archive files'), the sheets and the ones without
    a 校验码 column."""
    records = book.records(key)
    out: list[_Read] = []
    names, no_column = [], []
    offset = 0
    for info in book.sheets.get(key, [])[:own]:
        names.append(info.name)
        col = info.columns.get("fingerprint")
        if col is None:
            no_column.append(info.name)
        fps = info.fingerprints
        for j in range(info.rows_read):
            rec = records[offset + j]
            if col is None:
                row, stored = _place(rec)[1], None
            else:
                row, raw = fps[j]
                stored = (
                    raw.strip().lower() if type(raw) is str else "" if raw is None else str(raw)
                )
            out.append(_Read(info.name, row, clean_id(own_id(rec)), stored, rec, col))
        offset += info.rows_read
    return out, names, no_column


def _place(rec: Record) -> tuple[str, int]:
    """(sheet, Excel row) of a record read in place (provenance=False: its own cell)."""
    src = rec.src
    return ("", 0) if src is None else (src.sheet or "", src.row or 0)


def _match(expected: list[Written], read: list[_Read]) -> tuple[dict[int, int], list[int]]:
    """read index → expected index for every row found again; the expected rows not found.

    First by id and 校验码 as stored, then by id and the row's content now (a blanked or deleted
    code), by the stored code alone (an edited id), by the id alone (edited and its code blanked),
    by the content alone (a row without id and code)."""
    left = set(range(len(expected)))
    pairs: dict[int, int] = {}
    computed: dict[int, str] = {}

    def now(i: int) -> str:
        c = computed.get(i)
        if c is None:
            c = computed[i] = fingerprint.code(read[i].rec)
        return c

    passes = (
        (
            lambda w: (w.id, w.code),
            lambda i: (read[i].id, read[i].stored) if read[i].stored else None,
        ),
        (lambda w: (w.id, w.code), lambda i: (read[i].id, now(i))),
        (lambda w: w.code, lambda i: read[i].stored or None),
        (lambda w: w.id or None, lambda i: read[i].id or None),
        (lambda w: w.code, lambda i: now(i)),
    )
    todo = list(range(len(read)))
    for key_w, key_r in passes:
        if not todo or not left:
            break
        index: dict = defaultdict(deque)
        for n in sorted(left):
            k = key_w(expected[n])
            if k is not None:
                index[k].append(n)
        rest = []
        for i in todo:
            k = key_r(i)
            q = index.get(k) if k is not None else None
            if q:
                n = q.popleft()
                pairs[i] = n
                left.discard(n)
            else:
                rest.append(i)
        todo = rest
    return pairs, sorted(left)


def compare(
    book: Book, expected: Expected, own: dict[str, int], origins: dict, file: str
) -> list[Mismatch]:
    """Every difference between the master as read (``own``: how many of ``book.sheets[key]`` are
    the master's own, the rest being its archive files'; ``origins``: its provenance cells) and
    what it was written with."""
    out: list[Mismatch] = []
    for key in DATA:
        sheet = schema.BY_KEY[key]
        read, names, no_column = _read_rows(book, key, own.get(key, 0))
        written = expected.rows.get(key, [])
        missing = [n for n in expected.sheets.get(key, []) if n not in names]
        out += [Mismatch(file, n, None, "", key, "", "sheet_missing") for n in missing]
        out += [Mismatch(file, n, None, "", key, "", "code_column_missing") for n in no_column]
        pairs, gone = _match(written, read)
        for i, r in enumerate(read):
            n = pairs.get(i)
            if n is None:
                out.append(Mismatch(file, r.sheet, r.row, "", key, r.id, "row_inserted"))
                continue
            if r.stored == "":
                out.append(Mismatch(file, r.sheet, r.row, r.cell, key, r.id, "code_blank"))
            now = _prov(origins.get((r.sheet, r.row)), sheet)
            was = written[n].prov
            for f, old, new in zip(PROVENANCE, was, now, strict=True):
                if old != new:
                    out.append(
                        Mismatch(
                            file, r.sheet, r.row, "", key, r.id, "provenance_edited", f, old, new
                        )
                    )
        out += [
            Mismatch(file, written[n].sheet, written[n].row, "", key, written[n].id, "row_deleted")
            for n in gone
            if written[n].sheet not in missing
        ]
    for key in TABLES:
        out += _compare_table(book, expected, key, file)
    return out


def _compare_table(book: Book, expected: Expected, key: str, file: str) -> list[Mismatch]:
    sheet = schema.BY_KEY[key]
    infos = book.sheets.get(key, [])
    names = expected.sheets.get(key, [])
    if names and not infos:
        return [Mismatch(file, names[0], None, "", key, "", "sheet_missing")]
    where = names[0] if names else (infos[0].name if infos else sheet.zh)
    was = expected.tables.get(key, [])
    now = [(_place(rec)[0] or where, _place(rec)[1], cell_texts(rec)) for rec in book.records(key)]
    left = list(range(len(was)))
    out: list[Mismatch] = []
    unmatched = []
    for s, row, cells in now:  # the same row, unchanged (anywhere in the sheet)
        hit = next((n for n in left if was[n] == cells), None)
        if hit is None:
            unmatched.append((s, row, cells))
        else:
            left.remove(hit)
    for s, row, cells in unmatched:  # the same first cell (name, setting, date): changed
        first = cells[0] if cells else ""
        hit = next((n for n in left if (was[n][0] if was[n] else "") == first), None)
        if hit is None:
            out.append(Mismatch(file, s, row, "", key, first, "table_row_added"))
            continue
        left.remove(hit)
        for f, old, new in _cell_changes(sheet, was[hit], cells):
            out.append(Mismatch(file, s, row, "", key, first, "table_row_changed", f, old, new))
    for n in left:
        first = was[n][0] if was[n] else ""
        out.append(Mismatch(file, where, n + 2, "", key, first, "table_row_removed"))
    return out


def _cell_changes(sheet: schema.SheetDef, old: list[str], new: list[str]) -> list[tuple]:
    """(field, old text, new text) for every cell that differs: columns by key, office columns by header."""
    keys = sheet.keys
    n = len(keys)

    def split(cells: list[str]) -> dict[str, str]:
        got = {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys)}
        for part in cells[n:]:
            h, _, v = part.partition("=")
            got[h] = v
        return got

    a, b = split(old), split(new)
    return [
        (f, a.get(f, ""), b.get(f, ""))
        for f in dict.fromkeys([*a, *b])
        if a.get(f, "") != b.get(f, "")
    ]
