"""The staff workbook: a 首页 (home) sheet and our five sheets, as Excel Tables.

`followup-xl init`, the committed templates, the example office's books and the
split per-person books are all written by ``write_staff_workbook`` so they
cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence

from ... import schema
from ...messages import by_lang, render
from ...models import Book, Record
from ...settings import describe_settings
from ..atomic import atomic_output
from ..xlsx import Formats, new_workbook, print_setup, spec_for, write_table

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
    ]


def home_values(book: Book | None, today: dt.date) -> dict[str, int]:
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
    }


HOME_TEXT = by_lang("template.home_text")


def _rows(
    records: Iterable[Record], keys: Sequence[str], extras: Sequence[str] = ()
) -> Iterable[list]:
    for r in records:
        yield [r.raw(k) for k in keys] + [r.extra.get(h) for h in extras]


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
        home = wb.add_worksheet(HOME[lang])
        _write_home(home, fmts, lang, owner, home_values(book, dt.date.today()))
        for sheet in (schema.CUSTOMERS, schema.CALLS, schema.EVENTS, schema.STAFF):
            recs = book.records(sheet.key) if book else ()
            extras = _extras(recs)
            spec = spec_for(
                sheet,
                _rows(recs, sheet.keys, extras),
                lang,
                extra=[schema.Column(f"extra:{h}", h, h, width=12) for h in extras],
            )
            ws = write_table(wb, spec, fmts, lang)
            print_setup(ws, header=sheet.title(lang), lang=lang)
        rules = [[r["key"], r["value"], r["description"]] for r in describe_settings(lang)]
        if book and book.rules:
            rules = list(_rows(book.rules, schema.RULES.keys))
        ws = write_table(wb, spec_for(schema.RULES, rules, lang), fmts, lang)
        ws = write_table(
            wb,
            spec_for(
                schema.HOLIDAYS, _rows(book.holidays if book else (), schema.HOLIDAYS.keys), lang
            ),
            fmts,
            lang,
        )
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
    print_setup(ws, landscape=False, repeat_rows=None, lang=lang)


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
