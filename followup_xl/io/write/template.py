"""The staff workbook: a 首页 (home) sheet and our five sheets, as Excel Tables.

`followup-xl init`, the committed templates, the example office's books and the
split per-person books are all written by ``write_staff_workbook`` so they
cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence

from ... import formulas, schema
from ...calendar import WorkCalendar
from ...messages import by_lang, labels, render
from ...models import Book, Record
from ...ruletable import RuleTable
from ...settings import Policy, describe_settings, policy_for_book, rule_row_values, rule_sheets
from ..atomic import atomic_output
from ..xlsx import (
    DROPDOWN_ROWS,
    Formats,
    new_workbook,
    print_setup,
    spec_for,
    write_table,
    xl_col_to_name,
)

HOME = by_lang("template.home")


# Live figures on the home sheet: label, formula (structured references into our Tables).
# Kept here so tests can recompute each from the rows written.
def home_formulas(lang: str = "zh") -> list[tuple[str, str, str]]:
    cust, calls = schema.CUSTOMERS, schema.CALLS
    cid = cust.column("customer_id").header(lang)
    klass = cust.column("klass").header(lang)
    status = cust.column("status").header(lang)
    call_cust = calls.column("customer_id").header(lang)
    call_date = calls.column("call_date").header(lang)
    next_date = calls.column("next_date").header(lang)
    void = "废除"
    return [
        ("customers", render("template.customers", lang), f"=COUNTA({cust.table}[{cid}])"),
        ("class_a", render("template.class_a", lang), f'=COUNTIF({cust.table}[{klass}],"A")'),
        (
            "void",
            render("template.void_customers", lang),
            f'=COUNTIF({cust.table}[{status}],"{void}")',
        ),
        ("calls", render("template.call_records", lang), f"=COUNTA({calls.table}[{call_cust}])"),
        (
            "calls_month",
            render("template.calls_this_month", lang),
            f'=COUNTIFS({calls.table}[{call_date}],">="&DATE(YEAR(TODAY()),MONTH(TODAY()),1),'
            f'{calls.table}[{call_date}],"<="&TODAY())',
        ),
        (
            "next_past",
            render("template.next_call_passed", lang),
            f'=COUNTIFS({calls.table}[{next_date}],"<"&TODAY())',
        ),
        (
            "next_today",
            render("template.records_due_today", lang),
            f"=COUNTIFS({calls.table}[{next_date}],TODAY())",
        ),
        ("overdue_now", render("template.overdue_now", lang), _count_status(lang, "overdue")),
        ("due_week", render("template.due_this_week", lang), _count_status(lang, "today", "week")),
    ]


def _count_status(lang: str, *keys: str) -> str:
    """How many customers' routine calls and triggers' follow-ups have one of these statuses."""
    parts = []
    for sheet, key in ((schema.CUSTOMERS, "routine_status"), (schema.EVENTS, "follow_up_status")):
        ref = f"{sheet.table}[{sheet.computed_column(key).header(lang)}]"
        parts += [f'COUNTIF({ref},"{formulas.STATUS[lang][k]}")' for k in keys]
    return "=" + "+".join(parts)


def home_values(
    book: Book | None, today: dt.date, computed: formulas.Cached | None = None
) -> dict[str, int]:
    """What each home_formulas() formula gives on ``book``'s cells as written, on ``today``.

    Written beside the formula as its cached result, so a chat preview, a phone or
    LibreOffice without recalculation shows the real figures instead of 0.
    """
    if book is None:
        return {}

    def filled(v):
        return v is not None and v != ""

    def day(v):
        return v.date() if isinstance(v, dt.datetime) else v if isinstance(v, dt.date) else None

    customers = [c.values() for c in book.customers]
    calls = [k.values() for k in book.calls]
    month_start = today.replace(day=1)
    call_days = [day(k["call_date"]) for k in calls]
    next_days = [day(k["next_date"]) for k in calls]
    return {
        "customers": sum(filled(c["customer_id"]) for c in customers),
        "class_a": sum(
            isinstance(c["klass"], str) and c["klass"].upper() == "A" for c in customers
        ),
        "void": sum(c["status"] == "废除" for c in customers),
        "calls": sum(filled(k["customer_id"]) for k in calls),
        "calls_month": sum(d is not None and month_start <= d <= today for d in call_days),
        "next_past": sum(d is not None and d < today for d in next_days),
        "next_today": sum(d is not None and d == today for d in next_days),
        **_status_counts(computed),
    }


def _status_counts(computed: formulas.Cached | None) -> dict[str, int]:
    if computed is None:
        return {}
    said = [r.get("routine_status") for r in computed.customers]
    said += [r.get("follow_up_status") for r in computed.events]
    status = {v: k for k, v in {**formulas.STATUS["zh"], **formulas.STATUS["en"]}.items()}
    keys = [status.get(str(v)) for v in said if v]
    return {
        "overdue_now": keys.count("overdue"),
        "due_week": keys.count("today") + keys.count("week"),
    }


HOME_TEXT = by_lang("template.home_text")


def _rows(
    records: Iterable[Record], keys: Sequence[str], extras: Sequence[str] = (), gap: int = 0
) -> Iterable[list]:
    """Each record's cells: ours, ``gap`` blanks (the formula columns, written afterwards), the
    office's own columns."""
    blanks = [None] * gap
    for r in records:
        yield [r.raw(k) for k in keys] + blanks + [r.extra.get(h) for h in extras]


def _extras(records) -> list[str]:
    """The office's own columns on this sheet (微信号, 录音文件…), kept after ours in first-seen order."""
    seen: dict[str, None] = {}
    for r in records:
        for h in r.extra:
            seen.setdefault(h)
    return list(seen)


def write_staff_workbook(
    path: str | os.PathLike,
    lang: str = "zh",
    book: Book | None = None,
    owner: str | None = None,
    macro: bool = False,
    customize: Callable | None = None,
    inputs: Iterable = (),
    created=None,
) -> str:
    """Write a staff workbook (blank when ``book`` is None) atomically; returns the path.

    ``macro`` adds the VBA project and the 校验 button (see followup_xl.xl.vba);
    ``customize(wb, fmts)`` lets callers add sheets before the file is closed.
    """
    path = os.fspath(path)
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, created=created, kind="template" if book is None else "staff")
        if book is not None and owner:
            from ..filekind import mark_owner

            mark_owner(wb, owner)
        fmts = Formats(wb)
        # the day TODAY() gives when the book is opened: a template's is its fixed date (the
        # committed files stay byte-reproducible); a book's cached values are today's
        today = created.date() if created is not None and book is None else dt.date.today()
        policy = policy_for_book(book) if book is not None else Policy()
        cal = WorkCalendar.from_policy(policy)
        computed = formulas.cached(book, policy, cal, today, lang) if book is not None else None
        home = wb.add_worksheet(HOME[lang])
        _write_home(home, fmts, lang, owner, home_values(book, today, computed))
        if book is not None:  # a preview that never recalculates shows these figures as of then
            row = 4 + len(home_formulas(lang))
            home.write_string(row, 0, render("template.figures_as_of", lang, day=today))
        for sheet in (schema.CUSTOMERS, schema.CALLS, schema.EVENTS, schema.STAFF):
            recs = book.records(sheet.key) if book else ()
            extras = _extras(recs)
            spec = spec_for(
                sheet,
                _rows(recs, sheet.keys, extras, len(sheet.computed)),
                lang,
                extra=[
                    *sheet.computed,
                    *(schema.Column(f"extra:{h}", h, h, width=12) for h in extras),
                ],
            )
            ws = write_table(wb, spec, fmts, lang)
            if sheet.computed:
                values = (
                    {"customers": computed.customers, "events": computed.events}[sheet.key]
                    if computed is not None
                    else []
                )
                _add_formula_columns(ws, fmts, sheet, lang, policy, values)
            _add_native_checks(ws, fmts, sheet, lang)
            print_setup(ws, header=sheet.title(lang), lang=lang)
        rules = [[r["key"], r["value"], r["description"]] for r in describe_settings(lang)]
        # 回访规则: every rule in force (P1–P24 and the office's own), agreeing with 规则
        follow = [
            [rule_row_values(rule, lang)[k] for k in schema.FOLLOW_UP_RULES.keys]
            for rule in RuleTable.for_policy(policy)
        ]
        if book:
            rule_rows, follow_rows = rule_sheets(book, lang)
            follow = list(_rows(follow_rows, schema.FOLLOW_UP_RULES.keys))
            if rule_rows:
                rules = list(_rows(rule_rows, schema.RULES.keys))
        ws = write_table(wb, spec_for(schema.RULES, rules, lang), fmts, lang)
        ws = write_table(
            wb,
            spec_for(
                schema.HOLIDAYS, _rows(book.holidays if book else (), schema.HOLIDAYS.keys), lang
            ),
            fmts,
            lang,
        )
        write_table(wb, spec_for(schema.FOLLOW_UP_RULES, follow, lang), fmts, lang)
        _add_calendar_sheet(wb, fmts, home, lang, cal, book, today)
        if macro:
            from ...xl.vba import add_validate_button

            add_validate_button(wb, home, lang)
        if customize:
            customize(wb, fmts)
        home.activate()
        wb.close()
    return path


def _write_home(ws, fmts: Formats, lang: str, owner: str | None, values: dict[str, int]) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 7, 12)
    ws.write_string(0, 0, render("template.title", lang), fmts.get("title"))
    sub = (render("template.owner", lang)) + owner if owner else (render("template.subtitle", lang))
    ws.write_string(1, 0, sub, fmts.get("subtitle"))
    ws.write_string(3, 0, render("template.at_a_glance", lang), fmts.get("bold"))
    for i, (key, label, formula) in enumerate(home_formulas(lang)):
        ws.write_string(4 + i, 0, label, fmts.get("box"))
        ws.write_formula(4 + i, 1, formula, fmts.get("box"), values.get(key, 0))
    start = 6 + len(home_formulas(lang))
    for i, line in enumerate(HOME_TEXT[lang]):
        ws.write_string(start + i, 0, line, fmts.get("bold") if i == 0 else None)
    start += len(HOME_TEXT[lang]) + 1
    for i, line in enumerate(labels("formula.without_python", lang)):
        ws.write_string(start + i, 0, line, fmts.get("bold") if i == 0 else None)
    print_setup(ws, landscape=False, repeat_rows=None, lang=lang)


def _calendar_row(lang: str) -> int:
    """The 首页's row (0-based) of the 工作日历 line: under the guide's lines."""
    return (
        6
        + len(home_formulas(lang))
        + len(HOME_TEXT[lang])
        + 1
        + len(labels("formula.without_python", lang))
        + 1
    )


# --- what the book computes without Python (followup_xl/formulas.py) ---------------------


def _serial(value):
    """A cached value as the cell holds it: a date as its Excel serial number."""
    if isinstance(value, dt.date):
        return (value - dt.date(1899, 12, 30)).days
    return "" if value is None else value


def _add_formula_columns(
    ws, fmts: Formats, sheet: schema.SheetDef, lang: str, policy: Policy, values: list[dict]
) -> None:
    """The formula columns on every data row, each with the value the policy computes, and the
    rows coloured: red when overdue, amber when due today."""
    first = len(sheet.columns)
    for j, col in enumerate(sheet.computed):
        fmt = fmts.get("calc_date" if col.type is schema.ColType.DATE else "calc")
        hidden = {"hidden": True} if not col.width else {}
        ws.set_column(first + j, first + j, col.width or 11, fmt, hidden)
        for i, row in enumerate(values or [{}]):
            ws.write_formula(
                1 + i,
                first + j,
                formulas.formula(col.key, lang, policy, 2 + i),
                fmt,
                _serial(row.get(col.key)),
            )
    status_key = "routine_status" if sheet.key == "customers" else "follow_up_status"
    status = xl_col_to_name(first + [c.key for c in sheet.computed].index(status_key))
    span = f"A2:{xl_col_to_name(first + len(sheet.computed) - 1)}{DROPDOWN_ROWS + 1}"
    for key, fmt in (("overdue", "red"), ("today", "amber")):
        ws.conditional_format(
            span,
            {
                "type": "formula",
                "criteria": f'=${status}2="{formulas.STATUS[lang][key]}"',
                "format": fmts.get(fmt),
            },
        )


def _add_native_checks(ws, fmts: Formats, sheet: schema.SheetDef, lang: str) -> None:
    """What a spreadsheet checks itself as staff type: a duplicate id and a blank required cell
    (coloured), a date outside 2000–2099 and a mobile number of the wrong length (a warning)."""
    span = DROPDOWN_ROWS + 1
    key = sheet.columns[0]
    if sheet.key in ("customers", "events") and key.type is schema.ColType.ID:
        ws.conditional_format(
            f"A2:A{span}",
            {
                "type": "formula",
                "criteria": '=AND($A2<>"",COUNTIF($A$2:$A$' + str(span) + ",$A2)>1)",
                "format": fmts.get("red"),
            },
        )
    for j, col in enumerate(sheet.columns):
        letter = xl_col_to_name(j)
        if col.required and j > 0 and sheet.key in ("customers", "calls", "events"):
            ws.conditional_format(
                f"{letter}2:{letter}{span}",
                {
                    "type": "formula",
                    "criteria": f'=AND(COUNTA($A2:$B2)>0,${letter}2="")',
                    "format": fmts.get("amber"),
                },
            )
        if col.type is schema.ColType.DATE:
            ws.data_validation(
                1,
                j,
                span - 1,
                j,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(2000, 1, 1),
                    "maximum": dt.date(2099, 12, 31),
                    "ignore_blank": True,
                    "error_type": "warning",
                    "error_title": render("formula.date_title", lang),
                    "error_message": render("formula.date_range", lang),
                },
            )
        if col.type is schema.ColType.PHONE and not col.choices:
            ws.data_validation(
                1,
                j,
                span - 1,
                j,
                {
                    "validate": "custom",
                    "value": f'=OR(LEFT({letter}2,1)<>"1",LEN({letter}2)=11)',
                    "ignore_blank": True,
                    "error_type": "warning",
                    "error_title": render("formula.phone_title", lang),
                    "error_message": render("formula.phone_length", lang),
                },
            )


def _add_calendar_sheet(
    wb, fmts: Formats, home, lang: str, cal: WorkCalendar, book: Book | None, today: dt.date
) -> None:
    """The hidden, protected 工作日历 sheet: every non-working day the formulas count with,
    named 非工作日; its years (and a year whose official schedule is unknown) on the 首页."""
    days = formulas.non_working_days(cal, book, today)
    name = formulas.CALENDAR_SHEET[lang]
    ws = wb.add_worksheet(name)
    head = labels("formula.calendar_headers", lang)
    ws.set_column(0, 0, 12, fmts.get("date"))
    ws.set_column(1, 1, 8)
    ws.write_string(0, 0, head[0], fmts.get("header"))
    ws.write_string(0, 1, head[1], fmts.get("header"))
    weekdays = labels("schedule_book.weekdays", lang)
    for i, d in enumerate(days, start=1):
        ws.write_datetime(i, 0, dt.datetime(d.year, d.month, d.day), fmts.get("date"))
        ws.write_string(i, 1, weekdays[d.weekday()])
    wb.define_name(formulas.NON_WORKING[lang], f"='{name}'!$A$2:$A${len(days) + 1}")
    ws.hide()
    ws.protect()
    first, last = formulas.calendar_span(book, today)
    row = _calendar_row(lang)
    home.write_string(
        row,
        0,
        render("formula.calendar_years", lang, first=first.year, last=last.year),
        fmts.get("grey"),
    )
    unknown = [y for y in range(first.year, last.year + 1) if not cal.known(y)]
    for i, year in enumerate(unknown, start=1):
        home.write_string(
            row + i, 0, render("formula.year_unknown", lang, year=year), fmts.get("grey")
        )


HOME_FIRST_FORMULA_ROW = 5  # Excel row of the first figure (B5)


def template_name(lang: str = "zh", macro: bool = False) -> str:
    base = render("template.file_name", lang)
    return f"{base}.{'xlsm' if macro else 'xlsx'}"


def write_templates(
    folder: str | os.PathLike, langs=("zh", "en"), macro_ok: bool = True
) -> list[str]:
    """The blank templates as committed in workbook_templates/."""
    os.makedirs(folder, exist_ok=True)
    out = []
    for lang in langs:
        out.append(
            write_staff_workbook(
                os.path.join(folder, template_name(lang)), lang, created=TEMPLATE_DATE
            )
        )
        if macro_ok:
            out.append(
                write_staff_workbook(
                    os.path.join(folder, template_name(lang, macro=True)),
                    lang,
                    macro=True,
                    created=TEMPLATE_DATE,
                )
            )
    return out


TEMPLATE_DATE = dt.datetime(2026, 1, 1)  # fixed, so the committed templates are byte-reproducible


if __name__ == "__main__":  # python -m followup_xl.io.write.template [FOLDER]
    import sys

    for p in write_templates(sys.argv[1] if len(sys.argv) > 1 else "workbook_templates"):
        print(p)
