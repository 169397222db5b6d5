"""What the workbook buttons run (through xlwings' RunPython), in the open workbook.

The caller's workbook is read from its cells through xlwings (so unsaved edits
count) into the same records the file reader makes (`io.reader.read_rows`), and
the same checks as `followup-xl validate` run on them. Results are written in
place: coloured cells with a note each, a 问题清单 sheet with a link per finding,
and blank 记录编号 filled with stable ids. A second run first clears what the
previous run wrote (it reads the cells to clear from the old 问题清单).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from .. import schema
from ..checks import ERROR, run_checks
from ..io.read.workbook import read_rows, require_our_sheets
from ..messages import by_lang, labels, localize, render, table
from ..models import Book, column_letter
from ..settings import policy_for_book

ISSUES = by_lang("annotate.issues_sheet")  # the same sheet validate --annotate writes
DUE = by_lang("split_book.due_sheet")  # the sheet split put in the book
RED, AMBER = (255, 199, 206), (255, 235, 156)
HEADERS = by_lang("annotate.headers")
SEVERITY = table("severity")  # finding severity (ERROR, "warning") → its word
NOTE_TAG = "【校验】"
EXCEL_ERRORS = {
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
}
# The errors xlwings (cell_errors in _xlwindows.py) does not map come back as COM's integer,
# -2146828288 + Excel's error number: named here so they are findings, not numbers.
COM_ERRORS = {
    -2146828288 + number: text
    for text, number in {
        "#GETTING_DATA": 2043,
        "#SPILL!": 2045,
        "#CONNECT!": 2046,
        "#BLOCKED!": 2047,
        "#UNKNOWN!": 2048,
        "#FIELD!": 2049,
        "#CALC!": 2050,
        "#BUSY!": 2051,
    }.items()
}


def as_text(value):
    """A value as handed to Excel through xlwings ``.value``: a string gets a leading apostrophe,
    Excel's own mark for "this is text" (it is not part of the value, and ``.value`` reads the
    string back without it). Without it Excel parses the string as if typed: ``=1+2`` or
    ``=HYPERLINK(…)`` from a sheet or customer name becomes a live formula, ``00123`` a number."""
    return "'" + value if isinstance(value, str) and value else value


def as_text_rows(rows: list[list]) -> list[list]:
    return [[as_text(v) for v in row] for row in rows]


def sheet_link(sheet: str, cell: str) -> str:
    """#'Sheet'!A1 with an apostrophe in the sheet name doubled, as Excel writes it."""
    return "#'" + sheet.replace("'", "''") + "'!" + cell


def _caller():
    import xlwings as xw

    return xw.Book.caller()


def _lang(xl_book) -> str:
    names = [s.name for s in xl_book.sheets]
    return "en" if schema.CUSTOMERS.en in names and schema.CUSTOMERS.zh not in names else "zh"


def book_from_xlwings(xl_book) -> Book:
    """The open workbook's cells as a Book, positions as Excel shows them."""
    book = Book(path=xl_book.fullname)
    skip = set(ISSUES.values()) | set(DUE.values())
    for sheet in xl_book.sheets:
        if sheet.name in skip or sheet.name.endswith(".conf"):
            continue
        used = sheet.used_range
        values = used.options(ndim=2, err_to_str=True).value or []
        top, left = used.row - 1, used.column - 1
        rows: list[list[Any]] = [[] for _ in range(top)] + [[None] * left + list(r) for r in values]
        errors = {}  # #N/A and friends: reported as V12 like the file reader does, not read as blanks
        for i in range(top, len(rows)):
            for j, v in enumerate(rows[i]):
                if type(v) is str and v in EXCEL_ERRORS:
                    errors[(i + 1, j)], rows[i][j] = v, None
                elif type(v) is int and v in COM_ERRORS:  # numbers come as floats, errors as int
                    errors[(i + 1, j)], rows[i][j] = COM_ERRORS[v], None
        read_rows(
            book, sheet.name, iter(rows), xl_book.name, errors=errors or None, provenance=False
        )  # as `validate` reads
    require_our_sheets(book, xl_book.fullname)
    return book


def stable_record_id(call) -> str:
    """The same call gets the same id on every run (content, not position)."""
    key = "|".join(
        str(call.raw(k) or "")
        for k in (
            "customer_id",
            "call_date",
            "call_time",
            "method",
            "call_type",
            "caller",
            "content",
        )
    )
    return "R" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8].upper()


def clear_previous(xl_book, lang: str) -> None:
    for name in ISSUES.values():
        if name not in [s.name for s in xl_book.sheets]:
            continue
        old = xl_book.sheets[name]
        rows = old.used_range.options(ndim=2).value or []
        for row in rows[1:]:
            sheet_name, cell = (row[3], row[4]) if len(row) > 4 else (None, None)
            if not sheet_name or not cell or sheet_name not in [s.name for s in xl_book.sheets]:
                continue
            rng = xl_book.sheets[sheet_name][cell]
            try:
                rng.color = None
                note = rng.note
                if note is not None and _note_text(note).startswith(NOTE_TAG):
                    note.delete()
            except NotImplementedError:
                raise
            except Exception:  # a protected sheet refuses (Excel's COM error): left as it is
                pass
        old.delete()


def _note_text(note) -> str:
    """xlwings Lite cannot read a note's text synchronously; a note on a cell our last run
    listed is ours (that run wrote or overwrote it), so it is cleared like ours."""
    try:
        return str(note.text)
    except NotImplementedError:
        return NOTE_TAG


def _write_note(rng, text: str) -> None:
    """A note per marked cell; skipped where the client has no notes (xlwings Lite on an
    Excel without ExcelApi 1.18): the colour and the issues list still say it all."""
    try:
        if rng.note is not None:
            rng.note.text = text
        else:
            rng.add_note(text)
    except NotImplementedError:
        pass


def _show(sheet) -> None:
    """Bring the written sheet to the front (the desktop macro also does; Lite has no macro)."""
    activate = getattr(sheet, "activate", None)
    if activate is not None:
        activate()


def fill_record_ids(xl_book, book: Book) -> int:
    filled = 0
    for call in book.calls:
        if call.record_id or call.src is None:
            continue
        cell = book.cell_of(call, "record_id")
        if cell:
            xl_book.sheets[call.src.sheet][cell].value = as_text(stable_record_id(call))
            filled += 1
    return filled


def validate_button(xl_book=None, as_of: dt.date | None = None) -> dict:
    """The 校验 button. Returns the summary (also shown in an alert when Excel can)."""
    xl_book = xl_book or _caller()
    lang = _lang(xl_book)
    book = book_from_xlwings(xl_book)
    report = run_checks(
        book, policy_for_book(book), as_of or dt.date.today(), file=xl_book.fullname
    )
    clear_previous(xl_book, lang)
    filled = fill_record_ids(xl_book, book)
    by_cell: dict[tuple[str, str], list] = {}
    for f in report.findings:
        if f.sheet and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    refused: list[str] = []  # protected sheets that would not take a colour or a note
    for (sheet, cell), fs in by_cell.items():
        if sheet in refused:
            continue
        rng = xl_book.sheets[sheet][cell]
        try:
            rng.color = RED if any(f.severity == ERROR for f in fs) else AMBER
            _write_note(rng, NOTE_TAG + "\n".join(f"[{f.code}] {f.message(lang)}" for f in fs))
        except Exception:  # Excel refuses formats / notes on a protected sheet (a COM error)
            refused.append(sheet)
    sheets = xl_book.sheets
    issues = sheets.add(ISSUES[lang], before=sheets[0])
    table = [HEADERS[lang]] + [
        [
            i,
            SEVERITY[lang][f.severity],
            f.code,
            f.sheet or "",
            f.cell or "",
            f.column or "",
            f.message(lang),
        ]
        for i, f in enumerate(report.findings, start=1)
    ]
    issues["A1"].value = as_text_rows(table)
    for i, f in enumerate(report.findings, start=2):
        if f.sheet and f.cell:
            issues[f"E{i}"].add_hyperlink(sheet_link(f.sheet, f.cell), f.cell)
    _show(issues)
    errors, warnings = len(report.errors), len(report.warnings)
    summary = {"errors": errors, "warnings": warnings, "ids_filled": filled, "refused": refused}
    message = render(
        "button.validated",
        lang,
        errors=errors,
        warnings=warnings,
        issues=ISSUES[lang],
    )
    if refused:
        message += "\n" + render("button.protected_sheets", lang, sheets=refused)
    _alert(xl_book, _with_version_note(xl_book, lang, message))
    return summary


def refresh_due_button(xl_book=None, as_of: dt.date | None = None) -> int:
    """The 刷新待回访 button: the due list of this workbook, rewritten in its own sheet."""
    from ..policy import compute_obligations

    xl_book = xl_book or _caller()
    lang = _lang(xl_book)
    book = book_from_xlwings(xl_book)
    day = as_of or dt.date.today()
    result = compute_obligations(book, policy_for_book(book), day)
    names = [s.name for s in xl_book.sheets]
    if DUE[lang] in names:
        xl_book.sheets[DUE[lang]].delete()
    sheet = xl_book.sheets.add(DUE[lang], before=xl_book.sheets[0])
    status = table("due_book.status")[lang]
    head = labels("button.due_headers", lang)
    order = {"overdue": 0, "due": 1, "upcoming": 2}
    items = sorted(result.open(), key=lambda o: (order[o.status(day)], o.due_date))
    sheet["A1"].value = as_text_rows(
        [head]
        + [
            [
                status[o.status(day)],
                o.due_date,
                o.days_overdue(day),
                o.customer_id,
                o.customer_name,
                o.rule,
                localize(o.reason, lang),
            ]
            for o in items
        ]
    )
    for i, o in enumerate(items, start=2):
        if o.status(day) != "upcoming":
            sheet[f"A{i}:{column_letter(6)}{i}"].color = (
                RED if o.status(day) == "overdue" else AMBER
            )
    _show(sheet)
    _alert(
        xl_book,
        _with_version_note(xl_book, lang, render("button.due_count", lang, n_items=len(items))),
    )
    return len(items)


def conf_of(xl_book) -> dict[str, str]:
    """The workbook's xlwings.conf sheet as xlwings reads it ({} when there is none)."""
    from .vba import CONF_SHEET, read_conf

    if CONF_SHEET.casefold() not in [s.name.casefold() for s in xl_book.sheets]:
        return {}
    return read_conf(xl_book.sheets[CONF_SHEET]["A1:B20"].options(ndim=2).value or [])


def version_mismatch(xl_book, lang: str) -> str | None:
    """A sentence when the workbook's VBA (the xlwings it was built with) is not the installed
    xlwings; None when they match or the book does not say (built before the conf sheet)."""
    from .vba import CONF_XLWINGS_KEY

    built = conf_of(xl_book).get(CONF_XLWINGS_KEY.upper())
    if not built:  # no conf sheet: an older book, or xlwings Lite's .xlsx
        return None
    try:
        from xlwings import __version__ as installed
    except ImportError:  # xlwings Lite's Pyodide may bring none
        return None
    if built == installed:
        return None
    return render("button.version_mismatch", lang, book=built, installed=installed)


def _with_version_note(xl_book, lang: str, message: str) -> str:
    note = version_mismatch(xl_book, lang)
    return message + "\n" + note if note else message


def _alert(xl_book, message: str) -> None:
    app = getattr(xl_book, "app", None)
    if app is not None and hasattr(app, "alert"):
        app.alert(message, title="客户回访助手")
