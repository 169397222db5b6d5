"""`followup-xl import`: an office's existing tracker (any format we read) → a staff workbook in our template.

The thin shell around ``followup_xl.importing``: reads every sheet's rows, lets the
reader take the sheets it recognises as they are, hands the hand-made ones (wide,
one sheet per month, name + phone) to the importer, and writes the result with the
template writer (the 校验 button when the output is .xlsm).
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib

import python_calamine as pc

from ... import schema
from ...errors import (
    BadMapFile,
    NoRecognisedSheets,
    OutputRefused,
    OwnFileGiven,
    UnreadableWorkbook,
)
from ...importing import Defaults, Importer, Mapper, month_of_sheet
from ...models import Book
from ...results import ImportResult
from ..formats import opens_by_name, sniff
from .sheetscan import SheetScan, scan_workbook
from .workbook import read_rows, uses_1904_dates


def load_map(path: str) -> tuple[dict[str, str], dict[str, str]]:
    """A --map file: [columns] header = field, optional [defaults] method/call_type/owner."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise BadMapFile("import.map_unreadable", strerror=exc.strerror, path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise BadMapFile("import.map_not_toml", exc=exc, path=path) from exc
    columns = data.get("columns", {k: v for k, v in data.items() if isinstance(v, str)})
    defaults = data.get("defaults", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise BadMapFile("import.map_columns_shape", path=path)
    from ...importing import resolve_field

    for header, target in columns.items():
        try:
            resolve_field(target)
        except ValueError as exc:
            raise BadMapFile(
                "import.map_unknown_field", header=header, target=target, path=path
            ) from exc
    return columns, {k: str(v) for k, v in defaults.items()}


def raw_sheets(path: str) -> tuple[list[tuple[str, list[list], list, dict]], bool]:
    """Every worksheet as (name, rows with absolute positions, merged ranges, error cells); 1904 dates."""
    fmt = sniff(path)
    if fmt == "csv":
        from .csvbook import csv_rows

        name, csv_table = csv_rows(path)
        return [(name, csv_table, [], {})], False
    epoch_1904 = uses_1904_dates(path) if fmt == "xlsx" else False
    scans = scan_workbook(path) if fmt == "xlsx" else {}
    try:
        if opens_by_name(path, fmt):
            wb = pc.CalamineWorkbook.from_path(path)
        else:
            with open(path, "rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
    except Exception as exc:
        raise UnreadableWorkbook(
            "read.cannot_open_short", error_type=type(exc).__name__, exc=exc, path=path
        ) from exc
    out = []
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            scan = scans.get(meta.name) or SheetScan()
            try:
                if scan.sparse:
                    from .sparse import sparse_rows

                    rows, merged = list(sparse_rows(path, meta.name, scan)), []
                else:
                    sheet = wb.get_sheet_by_name(meta.name)
                    rows, merged = (
                        sheet.to_python(skip_empty_area=False),
                        sheet.merged_cell_ranges or [],
                    )
            except UnreadableWorkbook:
                raise
            except Exception as exc:
                raise UnreadableWorkbook(
                    "read.sheet_unreadable",
                    error_type=type(exc).__name__,
                    exc=exc,
                    path=path,
                    sheet=meta.name,
                ) from exc
            out.append((meta.name, rows, merged, scan.errors))
    finally:
        wb.close()
    return out, epoch_1904


def _refuse_our_outputs(path: str) -> None:
    """A master, schedule, report… the tool wrote is no tracker: say what it is and what to do instead."""
    from ..filekind import named, read_kind

    kind = read_kind(path)
    if kind in (None, "template", "staff", "example", "annotated"):
        return
    if kind == "master":
        from ..master.book import read_master

        read_master(path)  # a damaged master (or its history) gets its own sentence first
        raise OwnFileGiven("import.is_master", path=path)
    raise OwnFileGiven("import.own_output", kind=named(kind), path=path)


def _laid_out_like_ours(book: Book, mapper: Mapper) -> bool:
    """The reader found one of our sheets, and it is one: a call log whose calls name their
    customer by 客户编号, no customer columns on a call sheet (Customer, Phone) nor call columns
    on a customer list; else the importer reads it (a sheet merely named 'Calls' is not ours)."""
    infos = [(k, info) for k in schema.BY_KEY for info in book.sheets.get(k, [])]
    if not infos:
        return False
    for key, info in infos:
        if key == "calls" and "customer_id" not in info.headers:
            return False
        for header in info.extra_columns:
            target = mapper.field(header, key if key in ("customers", "calls") else "customers")
            if target and target[0] != key and key in ("customers", "calls"):
                return False
    return True


def map_file_for(out: str) -> str:
    """The mapping file --preview writes beside its workbook: 导入预览.xlsx → 导入预览.map.toml."""
    return os.path.splitext(out)[0] + ".map.toml"


def import_tracker(
    inputs: list[str],
    out: str,
    owner: str | None = None,
    map_path: str | None = None,
    lang: str = "zh",
    as_of: dt.date | None = None,
    area_code: str | None = None,
    as_calls: bool = False,
    preview: bool = False,
    into: str | None = None,
) -> ImportResult:
    from ...importing import split_repeated
    from ..atomic import check_output
    from ..write.template import write_staff_workbook

    ext = os.path.splitext(out)[1].lower()
    if preview and ext != ".xlsx":
        raise OutputRefused("import.preview_output_ending", path=out)
    if ext not in (".xlsx", ".xlsm"):
        raise OutputRefused("import.output_ending", path=out)
    check_output(out, [*inputs, *([into] if into else [])])
    if preview:
        check_output(map_file_for(out), inputs)
    master = None
    if into:
        from ...settings import policy_for_book
        from ..master.book import read_master

        master = read_master(into)
        if area_code is None:
            area_code = policy_for_book(master).local_area_code or None
    columns, defaults = load_map(map_path) if map_path else ({}, {})
    mapper = Mapper(columns)
    area = _area_code(area_code if area_code is not None else _map_area(defaults))
    d = Defaults(
        owner=owner or defaults.get("owner"),
        method=defaults.get("method", "电话"),
        call_type=defaults.get("call_type", "例行"),
        area=area,
        as_calls=as_calls,
    )
    results = []
    importer = None
    for path in inputs:
        _refuse_our_outputs(path)
        sheets, epoch_1904 = raw_sheets(path)
        if importer is None:
            importer = Importer(mapper, d, os.path.basename(path), epoch_1904, as_of)
            if master is not None and into:
                importer.seed(master.customers, os.path.basename(into))
        importer.label = os.path.basename(path)
        hand_made = []
        for name, rows, merged, errors in sheets:
            head = [c for r in rows[:30] for c in r if isinstance(c, str) and c.strip()]
            wide = any((rep := split_repeated(c)) and mapper.call_part(rep[1]) for c in head)
            named_in_map = any(schema.fold(c) in mapper.user for c in head)
            if not (wide or month_of_sheet(name, dt.date.today()) or named_in_map):
                book = Book(path=path)
                read_rows(
                    book,
                    name,
                    iter(rows),
                    importer.label,
                    epoch_1904,
                    merged,
                    errors,
                    provenance=False,
                )
                if _laid_out_like_ours(book, mapper):
                    importer.take_book(book)
                    continue
            hand_made.append((name, rows))
        # customer lists first, so calls that name a customer find its number
        hand_made.sort(key=lambda s: 0 if not month_of_sheet(s[0], dt.date.today()) else 1)
        for name, rows in hand_made:
            importer.sheet(name, rows)
        results.append(path)
    assert importer is not None  # the command takes at least one input
    res = importer.result
    if not (res.book.customers or res.book.calls or res.book.events):
        raise NoRecognisedSheets("import.no_header", path=inputs[0])
    if area and not preview:
        _set_area_rule(res.book, area, lang)
    result = ImportResult(
        output=out,
        inputs=results,
        customers=len(res.book.customers),
        calls=len(res.book.calls),
        events=len(res.book.events),
        mapped=res.mapped,
        unmapped_columns=res.unmapped,
        skipped=res.skipped,
        sheets=res.layouts,
        assumed=res.assumed,
        rows=res.rows,
        columns=res.columns,
        notes=res.notes,
        possible_duplicates=sum(1 for r in res.rows if r["outcome"] == "duplicate"),
        preview=preview,
        map_file=map_file_for(out) if preview else None,
    )
    if preview:
        from ..write.import_preview import write_map_file, write_preview

        write_preview(out, result, lang)
        write_map_file(map_file_for(out), result, lang)
    elif into:
        result.into_books = _books_for_merge(res.book, inputs[0], into, out, d.owner, lang)
    else:
        write_staff_workbook(
            out, lang, book=res.book, owner=d.owner, macro=ext == ".xlsm", inputs=inputs
        )
    return result


def _books_for_merge(
    book: Book, tracker: str, into: str, out: str, owner: str | None, lang: str
) -> list[str]:
    """--into: the imported rows as staff books beside the new master, one per 负责人
    (张伟_OLD.import.xlsx, so merge knows whose book it is by its name, as for any book not sent
    by split); api.import_tracker merges them into ``into`` by the ordinary merge, whose rules
    decide what is applied, what waits in 待批准 and what is a conflict. Returns their paths."""
    from ..write.template import write_staff_workbook

    owner_of = {c.customer_id: c.owner or owner or "" for c in book.customers}
    parts: dict[str, Book] = {}

    def part(person: str) -> Book:
        if person not in parts:
            parts[person] = Book(path=person)
        return parts[person]

    for c in book.customers:
        part(owner_of[c.customer_id]).customers.append(c)
    for key in ("calls", "events"):
        for r in book.records(key):
            cid = getattr(r, "customer_id", None) or ""
            part(owner_of.get(cid, owner or "")).records(key).append(r)
    folder = os.path.dirname(os.path.abspath(out))
    stem = os.path.splitext(os.path.basename(tracker))[0]
    books = []
    for person, sub in parts.items():
        name = f"{person}_{stem}.import.xlsx" if person else f"{stem}.import.xlsx"
        path = os.path.join(folder, name)
        # no owner property: unsigned, merge would take it for a forgery; the file name says whose
        write_staff_workbook(path, lang, book=sub, inputs=[tracker, into, out])
        books.append(path)
    return books


def _area_code(value) -> str:
    """--area-code (or 本地区号 in the map file's [defaults]) as the 规则 setting reads it."""
    if value in (None, ""):
        return ""
    from ...errors import BadOption
    from ...normalize import area_code

    code = area_code(value)
    if code is None:
        raise BadOption("policy.bad_area_code", value=str(value))
    return code


def _map_area(defaults: dict[str, str]) -> str | None:
    """本地区号 (or local_area_code) in a map file's [defaults]."""
    from ...settings import setting_names

    names = setting_names()
    return next(
        (v for k, v in defaults.items() if names.get(schema.fold(k)) == "local_area_code"), None
    )


def _set_area_rule(book: Book, area: str, lang: str) -> None:
    """The imported book's 规则 says 本地区号, so validate and merge read its numbers the same."""
    from ...models import RuleRow
    from ...settings import describe_settings, setting_label, setting_names

    names = setting_names()
    if not book.rules:  # the template's 规则 rows, with the office's area code filled in
        book.rules.extend(RuleRow.build(None, {}, {}, row) for row in describe_settings(lang))
    for i, rule in enumerate(book.rules):
        if rule.key and names.get(schema.fold(rule.key)) == "local_area_code":
            values = {**rule.values(), "value": area}
            book.rules[i] = RuleRow.build(rule.src, {}, rule.extra, values)
            return
    label = setting_label("local_area_code")
    book.rules.append(RuleRow.build(None, {}, {}, {"key": label, "value": area}))
