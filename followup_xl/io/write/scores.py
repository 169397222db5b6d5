"""The 电话回访员考核 workbook: the year at a glance, then each month's items per person."""

from __future__ import annotations

import os

from ...messages import render, table
from ..atomic import atomic_output
from ..xlsx import Formats, new_workbook, print_setup, write_day_or_text
from .report import add_formats

ITEM_EN = {
    "deal": "Last month's deals called in the first week",
    "consultation": "Consultation follow-ups ≥30/week, ≥120/month",
    "verification": "≥1200 records verified",
    "trip": "Trip visits verified the next day",
}

TEXT = table("scores_book")


def write_scores(path: str | os.PathLike, s: dict, inputs=(), lang: str = "zh") -> str:
    t = TEXT[lang]
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, kind="scores")
        f = Formats(wb)
        add_formats(wb, f)
        _year(wb.add_worksheet(t["sheets"][0]), f, s, t, lang)
        _months(wb.add_worksheet(t["sheets"][1]), f, s, t, lang)
        wb.close()
    return os.fspath(path)


def _year(ws, f: Formats, s: dict, t: dict, lang: str) -> None:
    ws.write_string(0, 0, t["title"].format(year=s["year"]), f.get("title"))
    ws.write_string(
        1,
        0,
        t["rule"].format(
            base=s["score_base"],
            threshold=s["threshold"],
            as_of=s["as_of"],
            months=s["min_months_for_bonus"],
        ),
        f.get("subtitle"),
    )
    row = 2
    if s["months_without_calls"]:
        ws.write_string(
            row,
            0,
            t["no_calls"].format(
                months=render("sep.list", lang).join(
                    t["month"].format(m=m) for m in s["months_without_calls"]
                )
            ),
            f.get("subtitle"),
        )
        row += 1
    row += 1
    for j, h in enumerate(t["head"]):
        ws.write_string(row, j, h, f.get("header"))
    for i, p in enumerate(s["staff"], start=row + 1):
        by_m = {x["month"]: x["score"] for x in p["monthly"]}
        ws.write_string(i, 0, p["name"], f.get("box"))
        write_day_or_text(ws, i, 1, p["joined"], f)
        ws.write_number(i, 2, p["months_worked"], f.get("box"))
        for m in range(1, 13):
            if m in by_m:
                ws.write_number(i, 2 + m, by_m[m], f.get("box"))
            else:
                ws.write_blank(i, 2 + m, None, f.get("box"))
        if p["yearly_score"] is None:
            ws.write_blank(i, 15, None, f.get("box"))
        else:
            ws.write_number(i, 15, p["yearly_score"], f.get("box_dec"))
        ws.write_string(
            i,
            16,
            render("scores.has_bonus" if p["bonus_eligible"] else "scores.no_bonus", lang),
            f.get("box") if p["bonus_eligible"] else f.get("box_red"),
        )
        ws.write_string(
            i,
            17,
            p["not_eligible_reason_en"] if lang == "en" else p["not_eligible_reason"],
            f.get("box"),
        )
    end = row + len(s["staff"]) + 2
    ws.write_string(end, 0, t["attitude"], f.get("subtitle"))
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 11)
    ws.set_column(2, 14, 7)
    ws.set_column(15, 16, 10)
    ws.set_column(17, 17, 22)
    ws.freeze_panes(row + 1, 1)
    print_setup(ws, repeat_rows=(row, row), header=t["title"].format(year=s["year"]), lang=lang)


def _months(ws, f: Formats, s: dict, t: dict, lang: str) -> None:
    items = s["items"]
    names = [i["name"] if lang == "zh" else ITEM_EN.get(i["key"], i["name"]) for i in items]
    head = (
        t["detail_head"]
        + [t["item_points"].format(name=n, points=i["points"]) for n, i in zip(names, items)]
        + t["detail_tail"]
    )
    for j, h in enumerate(head):
        ws.write_string(0, j, h, f.get("header"))
    r = 1
    for p in s["staff"]:
        for x in p["monthly"]:
            ws.write_string(r, 0, p["name"], f.get("box"))
            ws.write_string(r, 1, t["month"].format(m=x["month"]), f.get("box"))
            for j, i in enumerate(items, start=2):
                ok = x["met"].get(i["key"])
                met = (
                    "report_book.met" if ok else "report_book.not_met"
                )  # as the 月报 marks a target
                label = t["none"] if ok is None else render(met, lang)
                ws.write_string(r, j, label, f.get("box_red") if ok is False else f.get("box"))
            for j, v in enumerate(
                (
                    x["points"],
                    x["score"],
                    x["deals_due"],
                    x["consultation_followups"],
                    x["verified"],
                ),
                start=2 + len(items),
            ):
                ws.write_number(r, j, v, f.get("box"))
            r += 1
    ws.set_row(0, 42)
    ws.set_column(0, 1, 9)
    ws.set_column(2, 1 + len(items), 16)
    ws.set_column(2 + len(items), 6 + len(items), 9)
    ws.freeze_panes(1, 2)
    print_setup(ws, header=t["sheets"][1], lang=lang)
