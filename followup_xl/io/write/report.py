"""The 客户回访月报 workbook. Charts are native XlsxWriter charts: they live in the workbook
(like openpyxl's), point at the cells beside them, and render in Excel and LibreOffice."""

from __future__ import annotations

import os

from ...messages import localize, table
from ..atomic import atomic_output
from ..xlsx import FONT, Formats, as_day, new_workbook, print_setup, write_day_or_text

TEXT = table("report_book")


def add_formats(wb, f: Formats) -> None:
    """Boxed variants of the shared formats, for tables that are not Excel Tables."""
    base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "border": 1}
    for name, spec in (
        ("box_pct", {"num_format": "0.0%"}),
        ("box_dec", {"num_format": "0.00"}),
        ("box_red", {"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
    ):
        f.cache[name] = wb.add_format({**base, **spec})


LONG_TABLE = 25  # data rows past which a table may run onto a second printed page


class _Sheet:
    """A worksheet with a cursor: tables and headings written top to bottom."""

    def __init__(self, wb, f: Formats, name: str, t: dict):
        self.ws, self.f, self.t, self.row = wb.add_worksheet(name), f, t, 0
        self.widths: dict[int, float] = {}
        self.tables: list[tuple[int, int]] = []  # (header row, data rows) of each table

    def text(self, value: str, fmt: str | None = None, gap: int = 1) -> None:
        self.ws.write_string(self.row, 0, value, self.f.get(fmt) if fmt else None)
        self.row += gap

    def cell(self, r: int, c: int, v, kind: str | None = None) -> None:
        """Numbers stay numbers (percentages as Excel %), flags read 达标/未达标, None reads —."""
        ws, f = self.ws, self.f
        if v is None:
            ws.write_string(r, c, self.t["none"], f.get("box"))
        elif isinstance(v, bool):
            ws.write_string(
                r,
                c,
                self.t["met"] if v else self.t["not_met"],
                f.get("box") if v else f.get("box_red"),
            )
        elif isinstance(v, (int, float)) and kind == "pct":
            ws.write_number(r, c, v / 100, f.get("box_pct"))
        elif isinstance(v, (int, float)):
            ws.write_number(r, c, v, f.get("box_dec") if kind == "dec" else f.get("box"))
        elif as_day(v) is not None:  # dates stay dates (sortable, formatted), not text
            write_day_or_text(ws, r, c, v, f)
        else:
            ws.write_string(r, c, str(v), f.get("box"))
        self.widths[c] = max(self.widths.get(c, 0), _width(v, self.t))

    def table(self, headers: list[str], rows: list[list], kinds: tuple = ()) -> tuple[int, int]:
        """Writes a boxed table at the cursor; returns its first and last data row."""
        first = self.row + 1
        self.tables.append((self.row, len(rows)))
        for j, h in enumerate(headers):
            self.ws.write_string(self.row, j, h, self.f.get("header"))
            self.widths[j] = max(self.widths.get(j, 0), _width(h, self.t))
        for i, values in enumerate(rows, start=first):
            for j, v in enumerate(values):
                self.cell(i, j, v, kinds[j] if j < len(kinds) else None)
        self.row = first + len(rows) + 1
        return first, first + len(rows) - 1

    def finish(self, header: str, landscape: bool = True) -> None:
        for c, w in self.widths.items():
            self.ws.set_column(c, c, min(max(w + 2, 8), 40))
        # a table long enough to run onto another page repeats its header row there
        head, n = max(self.tables, key=lambda t: t[1], default=(None, 0))
        repeat = (head, head) if head is not None and n > LONG_TABLE else None
        print_setup(self.ws, landscape=landscape, repeat_rows=repeat, header=header)


def _width(v, t: dict) -> float:
    if isinstance(v, bool):
        return 6
    s = t["none"] if v is None else str(v)
    return sum(2 if ord(ch) > 0x2E7F else 1.1 for ch in s)


def _chart(wb, kind: str, title: str, lang: str, subtype: str | None = None):
    chart = wb.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
    font = {"name": FONT if lang == "zh" else "Calibri"}
    chart.set_title({"name": title, "name_font": {**font, "size": 12, "bold": True}})
    chart.set_x_axis({"num_font": font})
    chart.set_y_axis(
        {"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    )
    chart.set_legend({"position": "bottom", "font": font})
    return chart


def write_report(
    path: str | os.PathLike, r: dict, inputs=(), lang: str = "zh", source: str = ""
) -> str:
    t = TEXT[lang]
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, kind="report")
        f = Formats(wb)
        add_formats(wb, f)
        names = t["sheets"]
        _summary(_Sheet(wb, f, names[0], t), r, t, source, lang)
        _owners(wb, _Sheet(wb, f, names[1], t), r, t, lang)
        _types(_Sheet(wb, f, names[2], t), r, t, lang)
        _satisfaction(wb, _Sheet(wb, f, names[3], t), r, t, lang)
        _issues(_Sheet(wb, f, names[4], t), r, t, lang)
        _trend(wb, _Sheet(wb, f, names[5], t), r, t, lang)
        notes = _Sheet(wb, f, names[6], t)
        notes.text(t["notes"], "title")
        for line in [*t["definitions"], *t["definitions_more"]]:
            notes.ws.write_string(notes.row, 0, line, f.get("wrap"))
            notes.ws.set_row(notes.row, 36)
            notes.row += 1
        for note in r.get("warnings", ()):  # dates read without a year, calls not counted
            notes.ws.write_string(notes.row, 0, str(localize(note, lang)), f.get("wrap"))
            notes.ws.set_row(notes.row, 36)
            notes.row += 1
        notes.ws.set_column(0, 0, 110)
        print_setup(notes.ws, repeat_rows=None, header=t["notes"], lang=lang)
        wb.close()
    return os.fspath(path)


def _summary(s: _Sheet, r: dict, t: dict, source: str, lang: str) -> None:
    s.text(t["title"].format(month=r["month"]), "title")
    s.text(t["period"].format(start=r["start"], end=r["end"], source=source), "subtitle")
    prev, last = r["comparison"]["previous_month"], r["comparison"]["same_month_last_year"]
    keys = [
        ("planned", None),
        ("done", None),
        ("done_pct", "pct"),
        ("successful", None),
        ("successful_pct", "pct"),
        ("calls", None),
        ("satisfaction_avg", "dec"),
    ]
    first = s.row + 1
    s.table(
        [h.format(prev=prev["month"], last=last["month"]) for h in t["head"]],
        [[label] for label in t["rows"]],
    )
    for i, (key, kind) in enumerate(keys):
        for j, d in ((1, r), (2, prev), (3, last)):
            if d is r or d["data"]:
                s.cell(first + i, j, d[key], kind)
            else:
                s.ws.write_string(first + i, j, t["no_data"], s.f.get("box"))
    s.text(f"{t['missed']}: {r['missed']}", "bold")
    s.text(f"{t['open_issues']}: {r['open_issues_at_month_end']}", "bold", gap=2)
    s.text(t["coverage_rules"], "bold")
    s.table(
        t["coverage_rules_head"],
        [
            [
                f"{c['rule']} {localize(c['name'], lang)}",
                c["planned"],
                c["done"],
                c["actual_pct"],
                c["target_pct"],
                c["met"],
            ]
            for c in r["coverage_by_rule"]
        ],
        (None, None, None, "pct", "pct"),
    )
    p = r["processing"]
    s.text(t["processing"], "bold")
    s.table(
        t["processing_head"],
        [
            [
                localize(o["owner"], lang),
                o["raised"],
                o["settled"],
                o["rate_pct"],
                o["target_pct"],
                o["met"],
            ]
            for o in [*p["by_owner"], {**p, "owner": t["processing_total"]}]
        ],
        (None, None, None, "pct", "pct"),
    )
    s.text(t["consultation"], "bold")
    s.table(
        t["consultation_head"],
        [[c["owner"], c["followups"], c["target"], c["met"]] for c in r["consultation"]],
    )
    s.text(t["sign"])
    s.widths[0] = max(s.widths[0], 24)
    s.finish(t["title"].format(month=r["month"]), landscape=False)


def _owners(wb, s: _Sheet, r: dict, t: dict, lang: str) -> None:
    owners = r["by_owner"]
    first, last = s.table(
        t["owner_head"],
        [
            [
                localize(o["owner"], lang),  # a placeholder group (report.NO_OWNER) in lang
                o["planned"],
                o["done"],
                o["done_pct"],
                o["successful"],
                o["successful_pct"],
                o["calls"],
                o["satisfaction_avg"],
            ]
            for o in owners
        ],
        (None, None, None, "pct", None, "pct", None, "dec"),
    )
    if owners:
        chart = _chart(wb, "column", t["owner_chart"], lang)
        for col, name in zip((1, 2, 4), t["series"]):
            chart.add_series(
                {
                    "name": name,
                    "categories": [s.ws.name, first, 0, last, 0],
                    "values": [s.ws.name, first, col, last, col],
                    "gap": 80,
                }
            )
        chart.set_size({"width": 720, "height": 340})
        s.ws.insert_chart(s.row + 1, 0, chart)
    s.finish(t["sheets"][1])


def _types(s: _Sheet, r: dict, t: dict, lang: str) -> None:
    s.table(
        t["type_head"],
        [
            [
                x["rule"],
                x["name"] if lang == "zh" else x["name_en"],
                x["planned"],
                x["done"],
                x["done_pct"],
                x["successful"],
                x["successful_pct"],
            ]
            for x in r["by_type"]
        ],
        (None, None, None, None, "pct", None, "pct"),
    )
    s.finish(t["sheets"][2])


def _satisfaction(wb, s: _Sheet, r: dict, t: dict, lang: str) -> None:
    dist = r["satisfaction_distribution"]
    first, last = s.table(
        t["dist_head"], [[t["levels"][k], dist[k]] for k in ("5", "4", "3", "2", "1")]
    )
    chart = _chart(wb, "column", t["dist_chart"], lang)
    chart.add_series(
        {
            "name": t["count"],
            "categories": [s.ws.name, first, 0, last, 0],
            "values": [s.ws.name, first, 1, last, 1],
            "data_labels": {"value": True},
            "points": [
                {"fill": {"color": c}}
                for c in ("#2E7D32", "#8BC34A", "#FFC107", "#FF7043", "#C62828")
            ],
        }
    )
    chart.set_legend({"none": True})
    chart.set_size({"width": 520, "height": 300})
    s.ws.insert_chart(0, 3, chart)
    s.row = max(s.row, 17)
    s.text(t["by_type"], "bold")
    s.table(
        t["by_type_head"],
        [
            [localize(x["call_type"], lang), x["average"], x["count"]]
            for x in r["satisfaction_by_type"]
        ],
        (None, "dec"),
    )
    s.text(t["lowest"], "bold")
    s.table(
        t["lowest_head"],
        [
            [
                x["customer_id"],
                x["customer_name"],
                x["phone"],
                x["date"],
                x["call_type"],
                x["satisfaction"],
                x["caller"],
                x["issue"],
            ]
            for x in r["lowest_scored"]
        ],
    )
    s.finish(t["sheets"][3])


def _issues(s: _Sheet, r: dict, t: dict, lang: str) -> None:
    s.text(t["issues"], "bold")
    s.table(t["issues_head"], [[x["issue"], x["count"]] for x in r["top_issues"]])
    s.text(t["parties"], "bold")
    s.table(
        t["parties_head"],
        [
            [localize(x["party"], lang), x["complaints"], x["ratio_pct"]]
            for x in r["complaints_by_party"]
        ],
        (None, None, "pct"),
    )
    s.text(t["open_count"].format(open=t["open"], n=r["open_issues_at_month_end"]), "bold")
    s.table(
        t["open_head"],
        [
            [
                x["customer_id"],
                x["customer_name"],
                x["owner"],
                x["issue"],
                x["since"],
                x["days_open"],
            ]
            for x in r["open_issues"]
        ],
    )
    unsettled = r["processing"]["unsettled"]
    s.text(t["unsettled"].format(n=len(unsettled)), "bold")
    s.table(
        t["unsettled_head"],
        [
            [
                x["customer_id"],
                x["customer_name"],
                x["date"],
                x["issue"],
                x["status"],
                x["caller"],
                localize(x["owner"], lang),
            ]
            for x in unsettled
        ],
    )
    s.finish(t["sheets"][4])


def _trend(wb, s: _Sheet, r: dict, t: dict, lang: str) -> None:
    months = r["trend"]
    first = s.row + 1
    s.table(t["trend_head"], [[m["month"]] for m in months])
    for i, m in enumerate(months):
        for j, (key, kind) in enumerate(
            (
                ("planned", None),
                ("done", None),
                ("successful", None),
                ("done_pct", "pct"),
                ("calls", None),
                ("satisfaction_avg", "dec"),
            ),
            start=1,
        ):
            if m["data"]:
                s.cell(first + i, j, m[key], kind)
            else:  # a blank, so the chart shows a gap rather than a fall to zero
                s.ws.write_blank(first + i, j, None, s.f.get("box"))
    last = first + len(months) - 1
    chart = _chart(wb, "line", t["trend_chart"], lang)
    for col, name in zip((1, 2, 3), t["series"]):
        chart.add_series(
            {
                "name": name,
                "categories": [s.ws.name, first, 0, last, 0],
                "values": [s.ws.name, first, col, last, col],
                "marker": {"type": "circle", "size": 5},
            }
        )
    chart.add_series(
        {
            "name": t["sat_series"],
            "categories": [s.ws.name, first, 0, last, 0],
            "values": [s.ws.name, first, 6, last, 6],
            "y2_axis": True,
            "line": {"dash_type": "dash"},
            "marker": {"type": "diamond", "size": 6},
        }
    )
    chart.set_y2_axis({"min": 1, "max": 5, "num_font": {"name": FONT}})
    chart.set_size({"width": 720, "height": 340})
    s.ws.insert_chart(s.row + 1, 0, chart)
    s.finish(t["sheets"][5])
