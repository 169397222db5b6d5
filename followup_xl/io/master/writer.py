"""Writing the master fast: XlsxWriter in constant_memory mode, one pass per sheet.

The master has the sheets and headers of a staff workbook (so every command
reads it unchanged) plus provenance columns (来源文件/来源工作表/来源行), a 冲突
sheet and a 来源 sheet. Tables are not available in constant_memory mode, so
data sheets get an autofilter and a frozen header instead.

History: past ``archive_over`` calls, closed years go to workbooks beside the
master (see ``history``), written only when their rows changed. Within one
workbook, calls that outgrow ``row_limit`` (Excel's 1,048,575 data rows) are
split by year — 回访记录表 keeps the newest year, older years go to
回访记录表2025, 回访记录表2024 … and a year that alone is too long continues in
回访记录表2025-2. The reader treats every such sheet as calls.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import operator
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ... import fingerprint as check_codes
from ... import schema
from ...errors import HistoryWriteFailed
from ...lineage import Stamp
from ...mastercheck import CHECK_SHEET, ID_FIELD, ID_MAX, Recorder, clean_id
from ...models import Book, Record
from ...schema import ColType
from ...settings import rule_sheets
from ..atomic import atomic_output, check_output
from ..xlsx import Formats, new_workbook, print_setup, write_plain_sheet
from .changelog import write_change_sheets
from .handovers import write_log_sheet
from .history import (
    ARCHIVE_OVER,
    HISTORY_HEADERS,
    HISTORY_SHEET,
    history_dir,
    referenced_files,
    rows_digest,
)
from .lineage import write_lineage_sheets
from .notes import write_notes

EXCEL_ROW_LIMIT = 1_048_575  # data rows under one header row
EPOCH = dt.datetime(1899, 12, 30)


def _raw_writers(ws) -> tuple[Callable, Callable]:
    """(write_string, write_number) without XlsxWriter's A1-notation wrapper: the master writes
    every cell by row and column, and the wrapper cost about a tenth of writing a cell. The string
    writer is XlsxWriter's own, not io/xlsx's recording one (a frame more per cell, +7 % on a
    550,000-row master): the callers note a cut themselves (its result is -2, ``_cut``)."""
    import xlsxwriter.worksheet

    plain = getattr(xlsxwriter.worksheet.Worksheet, "_write_string", None)
    return (
        plain.__get__(ws) if plain is not None else ws.write_string,
        getattr(ws, "_write_number", ws.write_number),
    )


def _cut(ws, r: int, c: int, v: str) -> None:
    """Remember a text XlsxWriter cut to a cell's 32,767 (io/xlsx records it on close)."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    from ..xlsx import excel_length

    if hasattr(ws, "cut"):
        ws.cut.append((xl_rowcol_to_cell(r, c), excel_length(v)))


def _cell_writer(ws, kind: ColType, fmts: Formats) -> Callable:
    """A fast writer for one column type (bypasses XlsxWriter's per-cell type dispatch)."""
    ws_string, ws_number = _raw_writers(ws)
    if kind is ColType.DATE:
        fmt = fmts.get("date")

        def w(r, c, v):
            if type(v) is dt.date:
                ws_number(r, c, (v - EPOCH.date()).days, fmt)
            else:
                ws_string(r, c, str(v))

        return w
    if kind is ColType.TIME:
        fmt = fmts.get("time")

        def w(r, c, v):
            if type(v) is dt.time:
                ws_number(r, c, (v.hour * 3600 + v.minute * 60 + v.second) / 86400, fmt)
            else:
                ws_string(r, c, str(v))

        return w
    if kind in (ColType.INT, ColType.SATISFACTION):

        def w(r, c, v):
            if type(v) is int:
                ws_number(r, c, v)
            else:
                ws_string(r, c, str(v))

        return w
    if kind is ColType.BOOL:

        def w(r, c, v):
            ws_string(r, c, ("是" if v else "否") if isinstance(v, bool) else str(v))

        return w

    def write_text(r, c, v):
        ws_string(r, c, v if type(v) is str else str(v))

    return write_text


def extra_headers(records: Iterable[Record]) -> list[str]:
    """Columns the office added to a sheet, in the order they were first seen."""
    seen: dict[str, None] = {}
    for rec in records:
        ext = rec.__dict__["extra"]
        if ext:
            for h in ext:
                if h not in seen:
                    seen[h] = None
    return list(seen)


def _extra_writer(ws, fmts: Formats) -> Callable:
    date_fmt = fmts.get("date")

    def w(r, c, v):
        if isinstance(v, bool):
            ws.write_string(r, c, "是" if v else "否")
        elif isinstance(v, (int, float)):
            ws.write_number(r, c, v)
        elif isinstance(v, (dt.date, dt.datetime)):
            ws.write_datetime(
                r,
                c,
                v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day),
                date_fmt,
            )
        elif isinstance(v, dt.time):
            ws.write_datetime(r, c, v, fmts.get("time"))
        else:
            ws.write_string(r, c, str(v))

    return w


def _write_records(
    wb,
    fmts: Formats,
    name: str,
    sheet: schema.SheetDef,
    records: Sequence[Record],
    lang: str,
    codes: bool = False,
    known_codes: dict | None = None,
    check: Recorder | None = None,
) -> int:
    """Our columns, the office's own columns, then provenance (and each row's 校验码 when ``codes``;
    a record in ``known_codes`` (fingerprint.known_codes) keeps the code it was checked against).
    ``check`` (mastercheck.Recorder) is told each row's id, code and provenance as written."""
    ws = wb.add_worksheet(name)
    extras = extra_headers(records)
    tail = [*schema.PROVENANCE, *((schema.FINGERPRINT,) if codes else ())]
    for j, col in enumerate(sheet.columns):
        ws.set_column(j, j, col.width)
    n_keys = len(sheet.keys)
    n_extra = len(extras)
    p0 = n_keys + n_extra  # first provenance column
    for j, col in enumerate(tail):
        ws.set_column(p0 + j, p0 + j, col.width)
    header = fmts.get("header")
    for j, col in enumerate(sheet.columns):
        ws.write_string(0, j, col.header(lang), header)
    for j, h in enumerate(extras):
        ws.write_string(0, n_keys + j, h, header)
    for j, col in enumerate(tail):
        ws.write_string(0, p0 + j, col.header(lang), header)
    print_setup(
        ws, header=name, lang=lang
    )  # landscape, one page wide, the header row on every page
    writers = [_cell_writer(ws, c.type, fmts) for c in sheet.columns]
    extra_w = _extra_writer(ws, fmts)
    extra_col = {h: n_keys + j for j, h in enumerate(extras)}
    keys = sheet.keys
    canonical = sheet.zh
    write_string, write_number = _raw_writers(ws)
    code = check_codes.code
    known = known_codes or {}
    written: list[str] | None = [] if check is not None and codes else None
    place = check.place if check is not None else Recorder().place
    usual: dict[str, str] = {}  # 来源文件 → its place in the check sheet, for the usual 来源工作表
    id_key = ID_FIELD.get(sheet.key, "")
    r = 0
    for r, rec in enumerate(records, start=1):
        d = rec.__dict__
        bad = d["bad"]
        for j in range(n_keys):
            v = d[keys[j]]
            if v is None:
                if not bad or keys[j] not in bad:
                    continue
                if write_string(r, j, bad[keys[j]]) == -2:
                    _cut(ws, r, j, bad[keys[j]])
                continue
            if type(v) is str:  # every column's writer writes text as it is
                if write_string(r, j, v) == -2:
                    _cut(ws, r, j, v)
            else:
                writers[j](r, j, v)
        ext = d["extra"]
        if ext:
            for h, v in ext.items():
                if v is not None and v != "":
                    extra_w(r, extra_col[h], v)
        src = d["src"]
        if src is not None:
            if src.file:
                write_string(r, p0, src.file)
            if (
                src.sheet and src.sheet != canonical
            ):  # blank means the usual sheet name (read back as such)
                write_string(r, p0 + 1, src.sheet)
            if src.row is not None:
                write_number(r, p0 + 2, src.row)
        if codes:
            hit = known.get(id(rec))
            c = hit[1] if hit is not None and hit[0] is rec else code(rec)
            write_string(r, p0 + 3, c)
            if written is not None:  # what verify compares with: the code above, nothing twice
                rid = d[id_key]
                if (
                    type(rid) is not str
                    or "\t" in rid
                    or "\n" in rid
                    or "\r" in rid
                    or len(rid) > ID_MAX
                ):
                    rid = clean_id(rid)
                if src is None or not src.file:
                    written.append(f"{rid}\t{c}\t\t\t")
                    continue
                where = src.sheet
                if not where or where == canonical:  # the usual sheet: one look-up by file
                    at = usual.get(src.file)
                    if at is None:
                        at = usual[src.file] = place(src.file, "")
                else:
                    at = place(src.file, where)
                written.append(f"{rid}\t{c}\t{at}\t{'' if src.row is None else src.row}")
    if check is not None:
        if written is not None:
            check.data_sheet(sheet.key, name, written)
        else:
            check.table_sheet(sheet.key, name, records)
    ncols = p0 + len(tail)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(r, 1), ncols - 1)
    for j, col in enumerate(sheet.columns):
        if col.choices:
            ws.data_validation(
                1,
                j,
                max(r, 1),
                j,
                {
                    "validate": "list",
                    "source": col.choice_labels(lang),
                    "ignore_blank": True,
                    "error_type": "warning",
                },
            )
    return r


def call_sheets(
    calls: list, row_limit: int = EXCEL_ROW_LIMIT, lang: str = "zh", base: str | None = None
) -> list[tuple[str, list]]:
    """(sheet name, calls) pairs: one sheet while it fits, else one per year (newest unsuffixed)."""
    base = base or schema.CALLS.title(lang)
    if len(calls) <= row_limit:
        return [(base, calls)]
    by_year: dict[int | None, list] = {}
    for k in calls:
        by_year.setdefault(k.call_date.year if k.call_date else None, []).append(k)
    years = sorted((y for y in by_year if y is not None), reverse=True)
    newest = years[0] if years else None
    out = []
    for y in years + ([None] if None in by_year else []):
        rows = by_year[y]
        name = base if y == newest else f"{base}{y if y is not None else '日期不明'}"
        for i in range(0, len(rows), row_limit):
            part = i // row_limit
            out.append((name if part == 0 else f"{name}-{part + 1}", rows[i : i + row_limit]))
    return out


def split_history(calls: list, archive_over: int = ARCHIVE_OVER) -> tuple[list, dict[int, list]]:
    """(calls the master keeps, {closed year: calls}) — everything stays in the master up to ``archive_over``."""
    years = {k.call_date.year for k in calls if k.call_date}
    if len(calls) <= archive_over or len(years) < 2:
        return calls, {}
    newest = max(years)
    current: list = []
    closed: dict[int, list] = {}
    for k in calls:
        y = k.call_date.year if k.call_date else newest
        (current if y == newest else closed.setdefault(y, [])).append(k)
    return current, dict(sorted(closed.items()))


def _known_digest(rows: list, known: Sequence[tuple[list, str]]) -> str | None:
    """The digest of ``rows`` when they are the very rows (same objects, same order) of an archive
    file whose digest the input master's cache worked out (masterbook.known_digests)."""
    for recs, digest in known:
        if len(recs) == len(rows) and all(map(operator.is_, recs, rows)):
            return digest
    return None


def _plan_history(
    target: Path, closed: dict[int, list], lang: str, known: Sequence[tuple[list, str]] = ()
) -> tuple[list[list], list[tuple]]:
    """The 历史档案 rows for the master, and the closed years whose file is not there yet."""
    if not closed:
        return [], []
    folder = history_dir(target)
    folder.mkdir(exist_ok=True)
    listed, todo = [], []
    for year, rows in closed.items():
        fp = _known_digest(rows, known) or rows_digest(rows)
        name = f"{schema.CALLS.title(lang)}{year}_{fp[:12]}.xlsx"
        if not (folder / name).is_file():  # same rows as last time: already there, not rewritten
            todo.append((folder / name, year, rows))
        listed.append([year, name, len(rows), fp])
    return listed, todo


def _write_years(jobs: list[tuple], lang: str, row_limit: int, protect_inputs) -> None:
    for path, year, rows in jobs:
        with atomic_output(path, protect_inputs) as tmp:
            wb = new_workbook(tmp, constant_memory=True, kind="history")
            fmts = Formats(wb)
            for sheet_name, part in call_sheets(
                rows, row_limit, lang, base=f"{schema.CALLS.title(lang)}{year}"
            ):
                _write_records(wb, fmts, sheet_name, schema.CALLS, part, lang)
            wb.close()


def _forked_writer(jobs, lang, row_limit, protect_inputs) -> None:
    try:
        _write_years(jobs, lang, row_limit, protect_inputs)
    except BaseException:  # the parent names the file; its temp file is already gone
        sys.exit(1)


def _start_history(todo: list[tuple], lang: str, row_limit: int, protect_inputs) -> list:
    """Write the closed years while the master is written: forked children share the records (nothing
    is copied or pickled) and use the other cores. Without fork (Windows) they are written here first."""
    cores = os.cpu_count() or 1
    if not todo or cores < 2 or "fork" not in mp.get_all_start_methods():
        _write_years(todo, lang, row_limit, protect_inputs)
        return []
    ctx = mp.get_context("fork")
    k = min(len(todo), cores)
    procs = [
        (
            ctx.Process(
                target=_forked_writer,
                args=(todo[i::k], lang, row_limit, protect_inputs),
                daemon=True,
            ),
            todo[i::k],
        )
        for i in range(k)
    ]
    for p, _jobs in procs:
        p.start()
    return procs


def _finish_history(procs: list, target: Path, on_sheet) -> None:
    """Wait for the history writers; the master is renamed into place only if all of them succeeded."""
    failed = []
    for p, jobs in procs:
        p.join()
        if p.exitcode != 0:
            failed += [path.name for path, _y, _r in jobs]
        elif on_sheet:
            for path, _year, rows in jobs:
                on_sheet(path.name, len(rows))
    if failed:
        raise HistoryWriteFailed("history.write_failed", names=failed, path=os.fspath(target))


def _prune_history(target: Path, lang: str, known: dict[str, list[str]]) -> None:
    """Remove archive files of ours that no master in the folder lists any more (``known``: what
    the masters already read list, history.referenced_files)."""
    folder = history_dir(target)
    if not folder.is_dir():
        return
    keep = referenced_files(target.parent, known)
    if keep is None:
        return
    for f in folder.glob(f"{schema.CALLS.title(lang)}*_*.xlsx"):
        if f.name not in keep:
            f.unlink(missing_ok=True)


@dataclass
class Carried:
    """What a master holds besides its records, as it is to be written."""

    conflicts: list[dict] = field(default_factory=list)  # 冲突 (io/master/notes.py)
    sources: list[dict] = field(default_factory=list)  # 来源
    log: list[tuple] = field(default_factory=list)  # 修改记录: (date, Change) (changelog.py)
    pending: list[tuple] = field(default_factory=list)  # 待批准: (date, Change)
    lineage: list[list] = field(default_factory=list)  # 版本记录 rows (lineage.py)
    deleted: list[list] = field(default_factory=list)  # 已删除 rows
    handovers: list[dict] | None = None  # 交接记录 rows (handovers.py); None: no such sheet
    known_codes: dict = field(default_factory=dict)  # 校验码 as checked (fingerprint.known_codes)
    known_digests: Sequence[tuple[list, str]] = ()  # closed years' digests (book.known_digests)
    archives: dict[str, list[str]] = field(
        default_factory=dict
    )  # masters read: path → files listed


@dataclass
class Layout:
    """How the records are laid out: rows per sheet, and the calls past which closed years
    move beside the master (history.py)."""

    row_limit: int = EXCEL_ROW_LIMIT
    archive_over: int = ARCHIVE_OVER


def write_master(
    path: str | os.PathLike,
    book: Book,
    carried: Carried | None = None,
    *,
    lang: str = "zh",
    layout: Layout | None = None,
    inputs: Iterable = (),
    on_sheet: Callable[[str, int], None] | None = None,
    seal: tuple[Stamp, bytes] | None = None,
) -> str:
    """Write the master atomically (``inputs``: files it must not replace).

    constant_memory: each sheet's rows are written in order. Past ``layout.archive_over``
    calls the closed years are written beside the master at the same time (other cores),
    and the master is renamed into place only once they all are. ``on_sheet(name, rows)``
    is told of each sheet written.

    ``seal``: the stamp (unsigned) and the office key: the master also gets its very hidden
    check sheet (mastercheck.py: what every row was written with) and the stamp, with that
    sheet's digest in it, signed (what makes this file a master the next merge may take as its base).
    """
    carried = carried or Carried()
    layout = layout or Layout()
    protect_inputs = list(inputs)
    target = check_output(path, protect_inputs)
    current, closed = split_history(book.calls, layout.archive_over)
    listed, todo = _plan_history(target, closed, lang, carried.known_digests)
    procs = _start_history(todo, lang, layout.row_limit, protect_inputs)
    try:
        with atomic_output(target, protect_inputs) as tmp:
            wb = new_workbook(tmp, constant_memory=True, kind="master")
            fmts = Formats(wb)
            check = Recorder() if seal is not None else None
            _write_book(wb, fmts, book, current, lang, layout.row_limit, carried, check, on_sheet)
            _write_carried(wb, fmts, carried, listed, lang)
            if seal is not None and check is not None:
                _seal(wb, check, *seal)
            wb.close()
            _finish_history(procs, target, on_sheet)
    finally:
        for p, _jobs in procs:  # on an error in the master too: let them finish their files whole
            p.join()
    _prune_history(target, lang, carried.archives)
    return os.fspath(path)


def _write_book(wb, fmts, book, current, lang, row_limit, carried, check, on_sheet) -> None:
    parts: list[tuple[str, schema.SheetDef, Sequence[Record]]] = [
        (schema.CUSTOMERS.title(lang), schema.CUSTOMERS, book.customers)
    ]
    parts += [(name, schema.CALLS, rows) for name, rows in call_sheets(current, row_limit, lang)]
    # 规则 and 回访规则 written to agree (a 回访规则 cell wins over its 规则 setting: settings.py)
    rules, follow_up_rules = rule_sheets(book, lang)
    parts += [
        (schema.EVENTS.title(lang), schema.EVENTS, book.events),
        (schema.STAFF.title(lang), schema.STAFF, book.staff),
        (schema.RULES.title(lang), schema.RULES, rules),
        (schema.HOLIDAYS.title(lang), schema.HOLIDAYS, book.holidays),
        (schema.FOLLOW_UP_RULES.title(lang), schema.FOLLOW_UP_RULES, follow_up_rules),
    ]
    for name, sheet, rows in parts:
        n = _write_records(
            wb,
            fmts,
            name,
            sheet,
            rows,
            lang,
            codes=sheet.key in check_codes.SHEETS,
            known_codes=carried.known_codes,
            check=check,
        )
        if on_sheet:
            on_sheet(name, n)


def _write_carried(wb, fmts: Formats, carried: Carried, listed: list[list], lang: str) -> None:
    """冲突, 来源, 历史档案, 修改记录, 待批准, 版本记录, 已删除 and 交接记录, in that order."""
    write_notes(wb, fmts, carried.conflicts, carried.sources, lang)
    if listed:
        write_plain_sheet(
            wb, fmts, HISTORY_SHEET[lang], HISTORY_HEADERS[lang], listed, [8, 50, 10, 66]
        )
    write_change_sheets(wb, fmts, carried.log, carried.pending, lang)
    write_lineage_sheets(wb, fmts, carried.lineage, carried.deleted, lang)
    if carried.handovers is not None:
        write_log_sheet(wb, fmts, carried.handovers, lang)


def _seal(wb, check: Recorder, stamp: Stamp, key: bytes) -> None:
    """The check sheet (very hidden, like a staff book's base sheet), and the stamp with its
    digest, signed."""
    from dataclasses import replace

    from ...lineage import sign
    from ...mastercheck import digest
    from ..filekind import mark_stamp

    rows = check.rows()
    ws = wb.add_worksheet(CHECK_SHEET)
    write_string = _raw_writers(ws)[0]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v:
                write_string(r, c, v)
    ws.very_hidden()
    mark_stamp(wb, sign(replace(stamp, base_digest=digest(rows)), key))
