"""Reading the workbooks offices really have, fast (python-calamine).

Tolerates title rows above the header, headers in Chinese, English or an alias,
blank rows, foreign sheets, full-width text, and every common date/phone style.
It never guesses: a value it cannot read is kept as raw text in the record's
``bad`` map for the checks to report.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ... import schema
from ...errors import NoRecognisedSheets, PasswordProtected, UnreadableWorkbook
from ...messages import message
from ...models import MODEL_FOR, Book, SheetInfo, Source
from ...normalize import Unreadable, parser_for
from ..formats import open_calamine, sniff
from ..gcpause import gc_paused
from ..package import Package, opened_zip
from .sheetscan import SheetScan, scan_workbook, typed_over

if TYPE_CHECKING:
    import python_calamine as pc

HEADER_SCAN_ROWS = 30

_SUFFIX_RE = re.compile(r"[\s_\-—()（）\[\]【】0-9年度]+$")


def uses_1904_dates(source: str | Package) -> bool:
    """Whether a workbook (a path or its open ``Package``) counts its dates from 1904 (old Mac Excel)."""
    try:
        with opened_zip(source) as zf, zf.open("xl/workbook.xml") as fh:
            head = fh.read(8192)
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    return re.search(rb'date1904="(1|true)"', head) is not None


def error_cells(path: str) -> dict[str, dict[tuple[int, int], str]]:
    """Cells holding Excel error values (#N/A, #REF!…), which calamine reads as blanks.

    Sheet name → {(Excel row, 0-based col): "#N/A"} (see ``sheetscan``).
    """
    return {name: scan.errors for name, scan in scan_workbook(path).items() if scan.errors}


def sheet_kind_by_name(name: str) -> schema.SheetDef | None:
    """Our sheet for a name, allowing suffixes such as 回访记录表2025 or 回访记录表(2)."""
    found = schema.sheet_by_name(name)
    if found is None:
        stripped = _SUFFIX_RE.sub("", name)
        if stripped and stripped != name:
            found = schema.sheet_by_name(stripped)
    return found


def _header_score(row: list, index: dict[str, str]) -> int:
    seen = set()
    for cell in row:
        if isinstance(cell, str) and cell:
            key = index.get(schema.fold(cell))
            if key:
                seen.add(key)
    return len(seen)


def find_header(rows: list[list], sheet: schema.SheetDef) -> tuple[int, int]:
    """(0-based row index of the header line, how many of our headers it holds)."""
    index = schema.header_index(sheet)
    best, best_score = -1, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _header_score(row, index)
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def _iter_rows(sheet: pc.CalamineSheet) -> Iterator[list]:
    """Rows with absolute positions: row i is Excel row i+1, column j is column j."""
    col_off = sheet.start[1] if sheet.start else 0
    pad = [""] * col_off
    for row in sheet.iter_rows():
        yield pad + row if col_off else row


def _map_columns(
    header: list, sheet: schema.SheetDef
) -> tuple[dict[str, int], dict[str, str], dict[str, int], list[str]]:
    index = schema.header_index(sheet)
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    extra: dict[str, int] = {}
    dupes: list[str] = []
    for j, cell in enumerate(header):
        text = str(cell).strip() if cell not in (None, "") else ""
        if not text:
            continue
        key = index.get(schema.fold(text))
        if key is None:
            extra.setdefault(text, j)
        elif key in columns:
            dupes.append(text)
        else:
            columns[key] = j
            headers[key] = text
    return columns, headers, extra, dupes


def _fill_merged(rows: Iterable[list], merged: list, header_idx: int) -> Iterator[list]:
    """A value typed once in cells merged down several data rows belongs to each of those rows.

    Linear in rows + ranges: each range is looked at only while its rows go by.
    """
    rows = iter(rows)
    starting: dict[int, list[tuple[int, int, int]]] = {}
    for (r1, c1), (r2, c2) in merged:
        if r2 > r1 and r1 > header_idx:
            starting.setdefault(r1, []).append((c1, r2, c2))
    if not starting:
        yield from rows
        return
    last = max(r2 for spans in starting.values() for _, r2, _ in spans)
    active: list[tuple[object, int, int, int]] = []  # (value, c1, last row, c2)
    for i, row in enumerate(rows, start=header_idx + 1):
        if active:
            active = [a for a in active if a[2] >= i]
            for value, c1, _, c2 in active:
                if len(row) <= c2:
                    row = row + [""] * (c2 + 1 - len(row))
                for c in range(c1, c2 + 1):
                    if row[c] in ("", None):
                        row[c] = value
        for c1, r2, c2 in starting.pop(i, ()):
            active.append((row[c1] if c1 < len(row) else "", c1, r2, c2))
        yield row
        if i >= last and not active and not starting:
            yield from rows
            return


def _shared(names: dict, v) -> str:
    """``str(v)``, one string object per distinct text (provenance repeats on every row)."""
    return names.setdefault(v, v) if type(v) is str else str(v)


def read_sheet(
    rows: Iterable[list],
    sheet: schema.SheetDef,
    sheet_name: str,
    header_idx: int,
    header: list,
    path_label: str,
    epoch_1904: bool,
    book: Book,
    errors: dict[tuple[int, int], str] | None = None,
    provenance: bool = True,
) -> None:
    columns, headers, extra, dupes = _map_columns(header, sheet)
    computed = {c.key for c in sheet.computed}
    formula_columns = {k: columns.pop(k) for k in list(columns) if k in computed}
    for k in formula_columns:
        headers.pop(k, None)
    info = SheetInfo(sheet.key, sheet_name, header_idx + 1, columns, headers, extra, dupes)
    info.computed_columns = formula_columns
    book.sheets.setdefault(sheet.key, []).append(info)
    model = MODEL_FOR[sheet.key]
    plan: list[tuple[str, int, Any, dict]] = [  # (field, column, parser, cache)
        (key, idx, parser_for(sheet.column(key), epoch_1904), {})
        for key, idx in columns.items()
        if key in sheet.keys
    ]
    prov = [(key, idx) for key, idx in columns.items() if key not in sheet.keys]
    fp_idx = columns.get("fingerprint")
    fps = info.fingerprints
    out = book.records(sheet.key)
    names: dict = {}  # source file and sheet names repeat on every row: one string each
    n = 0
    for offset, row in enumerate(rows):
        excel_row = header_idx + 2 + offset
        width = len(row)
        values: dict = {}
        bad: dict[str, str] = {}
        any_value = False
        for key, idx, parse, memo in plan:
            raw = row[idx] if idx < width else ""
            if raw == "" or raw is None:
                if errors and (excel_row, idx) in errors:
                    bad[key] = Unreadable(errors[(excel_row, idx)], "error")
                    any_value = True
                continue
            any_value = True
            # Columns repeat values (names, dropdowns, dates): parse each distinct value once.
            v = memo.get(raw, memo) if raw is not True and raw is not False else memo  # True == 1
            if v is memo:
                v = parse(raw)
                if len(memo) < 50_000:
                    memo[raw] = v
            if type(v) is Unreadable:
                bad[key] = v
            elif v is not None:
                values[key] = v
        if not any_value:
            continue
        ext = {}
        for name, idx in extra.items():
            raw = row[idx] if idx < width else ""
            if raw != "" and raw is not None:
                ext[name] = raw
        src = None
        if prov:  # a master's provenance columns: the original source wins, or is noted beside
            got = {key: row[idx] for key, idx in prov if idx < width and row[idx] not in ("", None)}
            if "src_file" in got:
                src = Source.fast(
                    _shared(names, got["src_file"]),
                    _shared(names, got.get("src_sheet") or sheet.zh),
                    _int_or_none(got.get("src_row")),
                )
                if not provenance:
                    book.origins[(sheet_name, excel_row)] = src
                    src = None
        if src is None:
            src = Source.fast(path_label, sheet_name, excel_row)
        if fp_idx is not None:
            fps.append((excel_row, row[fp_idx] if fp_idx < width else ""))
        out.append(model.build(src, bad, ext, values))
        n += 1
    info.rows_read = n


def _int_or_none(v) -> int | None:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return None


def read_book(
    path: str | os.PathLike,
    label: str | None = None,
    require_data: bool = True,
    provenance: bool = True,
    package: Package | None = None,
) -> Book:
    """Read every sheet of ours from one workbook file; foreign sheets are listed, not read.

    Only this file: a master's closed years beside it are ``masterbook.read_master``'s.

    A workbook with none of our data sheets is refused with a sentence (no command
    has anything to do with it), unless ``require_data`` is False. With
    ``provenance=False`` a master's records keep their place in this file (validate
    must point at the master's own cells) instead of the staff book they came from.
    ``package``: the file's open ``Package`` when the caller looks inside it too.
    """
    import python_calamine as pc  # here, not at the top: xlwings Lite reads rows through read_rows without it

    path = os.fspath(path)
    if package is None:  # one opened zip for every look inside this file
        with Package(path) as own:
            return read_book(path, label, require_data, provenance, own)
    fmt = sniff(path, package)
    if fmt == "csv":
        return _read_csv(path, label, require_data)
    epoch_1904 = uses_1904_dates(package) if fmt == "xlsx" else False
    try:  # (an .xls saved under an .xlsx name and the like: calamine goes by the content)
        wb = open_calamine(path, fmt, package)  # the package's: closed with it
    except pc.PasswordError as exc:
        raise PasswordProtected("read.password", path=path) from exc
    except Exception as exc:  # calamine's own errors: zip/xml damage
        raise UnreadableWorkbook(
            "read.cannot_open", error_type=type(exc).__name__, exc=exc, path=path
        ) from exc
    book = Book(path=path, epoch_1904=epoch_1904)
    label = label if label is not None else path
    scans = scan_workbook(package) if fmt == "xlsx" else {}
    with gc_paused():
        _read_sheets(wb, book, path, label, epoch_1904, scans, provenance)
    if fmt == "xlsx":
        _find_typed_over(book, package)
    if require_data:
        require_our_sheets(book, path)
    return book


def _find_typed_over(book: Book, package: Package) -> None:
    """The formula columns' cells typed over by hand (checks/formulas.py says where)."""
    for infos in book.sheets.values():
        for info in infos:
            if info.computed_columns:
                columns = {i: k for k, i in info.computed_columns.items()}
                info.typed_over = typed_over(package, info.name, columns, info.header_row)


def _read_csv(path: str, label: str | None, require_data: bool) -> Book:
    """A CSV export: one sheet, named after the file, recognised by its name or its headers."""
    from .csvbook import csv_rows

    name, rows = csv_rows(path)
    book = Book(path=path)
    with gc_paused():
        read_rows(book, name, iter(rows), label if label is not None else path, provenance=False)
    if require_data and not any(book.sheets.get(k) for k in ("customers", "calls", "events")):
        raise NoRecognisedSheets("read.csv_no_header", path=path)
    return book


SENT_SHEET = "_followup_base"  # io/write/split.BASE_SHEET (read here while the workbook is open)


def sent_text(data: list[list]) -> str:
    """A split book's base sheet as one compact text (lineage.sheet_body): read with the book,
    while its shared strings are parsed anyway, instead of opening the file again per book."""

    def _cell(v) -> str:  # a hand edit can leave a number or a date: its digest then fails
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return "" if v is None else str(v).strip()

    return "".join(
        f"{a}\x1f{b}\x1f{c}\x1e"
        if type(a) is str and type(b) is str and type(c) is str
        else f"{_cell(a)}\x1f{_cell(b)}\x1f{_cell(c)}\x1e"
        for a, b, c, *_ in (r for r in data if len(r) >= 3)
    )


def _read_sheets(
    wb,
    book: Book,
    path: str,
    label: str,
    epoch_1904: bool,
    scans: dict[str, SheetScan],
    provenance: bool = True,
) -> None:
    import python_calamine as pc

    for meta in wb.sheets_metadata:
        name = meta.name
        if name == SENT_SHEET and meta.typ == pc.SheetTypeEnum.WorkSheet:
            book.ignored_sheets.append(name)  # a split book's rows as sent: kept as one text
            book.sent = sent_text(wb.get_sheet_by_name(name).to_python())
            continue
        if meta.typ != pc.SheetTypeEnum.WorkSheet or name.strip() in schema.TOOL_SHEETS:
            book.ignored_sheets.append(name)  # (a tool sheet: never loaded, a master's is large)
            continue
        scan = scans.get(name) or SheetScan()
        if scan.sparse:  # a stray far cell: calamine's dense grid would not fit in memory
            from .sparse import sparse_rows

            read_rows(
                book,
                name,
                _guarded(sparse_rows(path, name, scan), path, name),
                label,
                epoch_1904,
                [],
                scan.errors,
                provenance,
            )
            continue
        try:
            sheet = wb.get_sheet_by_name(name)
        except Exception as exc:
            raise UnreadableWorkbook(
                "read.sheet_unreadable",
                error_type=type(exc).__name__,
                exc=exc,
                path=path,
                sheet=name,
            ) from exc
        read_rows(
            book,
            name,
            _iter_rows(sheet),
            label,
            epoch_1904,
            sheet.merged_cell_ranges or [],
            scan.errors,
            provenance,
        )


def _guarded(rows: Iterator[list], path: str, name: str) -> Iterator[list]:
    """openpyxl's own parse errors as the sentence calamine's would get."""
    try:
        yield from rows
    except UnreadableWorkbook:
        raise
    except Exception as exc:
        raise UnreadableWorkbook(
            "read.sheet_unreadable", error_type=type(exc).__name__, exc=exc, path=path, sheet=name
        ) from exc


def read_rows(
    book: Book,
    name: str,
    rows_iter: Iterator[list],
    label: str,
    epoch_1904: bool = False,
    merged: list | None = None,
    errors: dict | None = None,
    provenance: bool = True,
) -> None:
    """One sheet's rows (absolute positions: row i is Excel row i+1) into ``book``.

    Shared by the file reader and the workbook button (which gets its rows from
    xlwings), so both see exactly the same records.
    """
    if name.strip() in schema.TOOL_SHEETS:
        book.ignored_sheets.append(name)
        return
    head = []
    for row in rows_iter:
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    kind = sheet_kind_by_name(name)
    h = 0
    if kind is not None:
        h, score = find_header(head, kind)
        if score < 2:
            book.headerless_sheets[name] = kind.key
            kind = None
    if kind is None:
        # Not named like ours: recognise it by its headers, else ignore it.
        best = None
        for cand in schema.SHEETS:
            hh, score = find_header(head, cand)
            needed = max(3, sum(1 for c in cand.columns if c.required))
            if score >= needed and (best is None or score > best[2]):
                best = (cand, hh, score)
        if best is None:
            book.ignored_sheets.append(name)
            return
        kind, h, _ = best
        book.headerless_sheets.pop(name, None)
    rest = _fill_merged(_chain(head[h + 1 :], rows_iter), merged or [], h)
    read_sheet(rest, kind, name, h, head[h], label, epoch_1904, book, errors, provenance)


def require_our_sheets(book: Book, path: str) -> None:
    """Refuse a workbook with none of our data sheets, with a sentence saying what it has."""
    if any(book.sheets.get(k) for k in ("customers", "calls", "events")):
        return
    if book.headerless_sheets:
        raise NoRecognisedSheets(
            "read.no_header_row",
            quoted_sheets=[message("read.quoted_sheet", name=n) for n in book.headerless_sheets],
            sheets=book.headerless_sheets,
            path=path,
        )
    sheets = list(book.ignored_sheets) or message("read.no_sheets")
    raise NoRecognisedSheets("read.none_of_our_sheets", sheets=sheets, path=path)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest
