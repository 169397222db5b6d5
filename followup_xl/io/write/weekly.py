"""The 周报 workbook: one row per person with live totals, and the W3 projects sheet
for the weekly meeting."""

from __future__ import annotations

import os

from ... import schema
from ...messages import localize, render, table
from ...weekly import Weekly
from ..atomic import atomic_output
from ..xlsx import (
    FONT,
    RED,
    RED_FONT,
    Formats,
    new_workbook,
    print_setup,
    write_day_or_text,
    xl_col_to_name,
)

COLUMNS = [
    "owner",
    "deals",
    "new_customers",
    "calls",
    "successful_calls",
    "appointments",
    "appointments_met",
    "consultation_followups",
    "consultation_target",
    "overdue",
    "outcomes",
]
WIDTHS = [10, 8, 9, 9, 9, 9, 9, 12, 8, 9, 34]
SUMMED = {
    "deals",
    "new_customers",
    "calls",
    "successful_calls",
    "appointments",
    "consultation_followups",
    "overdue",
}
PROJECT_COLUMNS = [
    "event_id",
    "customer_id",
    "customer_name",
    "owner",
    "start",
    "planned_end",
    "actual_end",
    "status",
    "calls_this_week",
    "call_types",
]
PROJECT_WIDTHS = [10, 10, 20, 9, 11, 11, 11, 10, 9, 24]

TEXT = table("weekly_book")


def write_weekly(path: str | os.PathLike, w: Weekly, inputs=(), lang: str = "zh") -> str:
    t = TEXT[lang]
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, kind="weekly")
        f = Formats(wb)
        _summary(wb.add_worksheet(t["sheet"]), w, f, t, lang)
        _projects(wb.add_worksheet(t["projects"]), w, f, t)
        wb.close()
    return os.fspath(path)


def _summary(ws, w: Weekly, f: Formats, t: dict, lang: str) -> None:
    title = t["title"].format(start=w.week_start, end=w.week_end)
    when = t["moved" if w.report_moved else "due"].format(day=w.report_day)
    if w.report_moved:  # the title line itself says the summary is due a day early
        title += t["moved_title"].format(day=f"{w.report_day:%m-%d}")
    ws.write_string(0, 0, title, f.get("title"))
    ws.write_string(1, 0, when, f.get("subtitle"))
    for j, (h, width) in enumerate(zip(t["head"], WIDTHS)):
        ws.write_string(3, j, h, f.get("header"))
        ws.set_column(j, j, width)
    outcome = _outcome_names(lang)
    ok = f.wb.add_format({"font_name": FONT, "font_size": 10, "border": 1, "align": "center"})
    missed = f.wb.add_format(
        {
            "font_name": FONT,
            "font_size": 10,
            "border": 1,
            "align": "center",
            "bg_color": RED,
            "font_color": RED_FONT,
        }
    )
    for r, row in enumerate(w.by_owner, start=4):
        for j, k in enumerate(COLUMNS):
            v = row[k]
            if k == "appointments_met":
                label, fmt = (
                    (render("report_book.none", lang), ok)
                    if v is None
                    else (t["yes"], ok)
                    if v
                    else (t["no"], missed)
                )
                ws.write_string(r, j, label, fmt)
            elif k == "outcomes":
                ws.write_string(
                    r,
                    j,
                    render("sep.comma", lang).join(
                        f"{outcome.get(a, a)} {b}" for a, b in sorted(v.items())
                    ),
                    f.get("box"),
                )
            elif isinstance(v, int):
                ws.write_number(r, j, v, f.get("box"))
            else:  # a name, or a placeholder group (weekly.NO_OWNER/NO_CALLER) in lang
                ws.write_string(r, j, str(localize(v, lang)), f.get("box"))
    last = 4 + len(w.by_owner)
    ws.write_string(last, 0, render("schedule_book.total", lang), f.get("bold"))
    for j, k in enumerate(COLUMNS):
        if k in SUMMED:
            col = xl_col_to_name(j)
            ws.write_formula(
                last, j, f"=SUM({col}5:{col}{last})", f.get("bold"), sum(r[k] for r in w.by_owner)
            )
    ws.write_string(last + 2, 0, t["sign"])
    for n, note in enumerate(w.notes):  # what the week could not count, with the cells
        ws.write_string(last + 4 + n, 0, str(localize(note, lang)))
    ws.set_row(3, 30)
    ws.freeze_panes(4, 1)
    print_setup(ws, header=t["sheet"], repeat_rows=(3, 3), lang=lang)


def _projects(ws, w: Weekly, f: Formats, t: dict) -> None:
    """W3: projects in progress and completed this week, with this week's calls on them."""
    ws.write_string(
        0, 0, t["projects_title"].format(start=w.week_start, end=w.week_end), f.get("title")
    )
    for j, (h, width) in enumerate(zip(t["project_head"], PROJECT_WIDTHS)):
        ws.write_string(2, j, h, f.get("header"))
        ws.set_column(j, j, width)
    for r, p in enumerate(w.projects, start=3):
        for j, k in enumerate(PROJECT_COLUMNS):
            v = t["status"][p[k]] if k == "status" else p[k]
            if isinstance(v, int):
                ws.write_number(r, j, v, f.get("box"))
            else:
                write_day_or_text(ws, r, j, v, f)
    ws.freeze_panes(3, 0)
    print_setup(ws, header=t["projects"], repeat_rows=(2, 2))


def _outcome_names(lang: str) -> dict[str, str]:
    """回访结果 labels in the sheet's language."""
    return {
        c.zh: (c.en if lang == "en" else c.zh)
        for c in schema.BY_KEY["calls"].column("result").choices
    }
