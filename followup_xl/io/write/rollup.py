"""The 区域汇总 workbook: one row per office, the ranking, a chart, and the definitions.

Written like the monthly report (same boxed tables, % cells, native XlsxWriter chart) so a
region's figures read the same as an office's.
"""

from __future__ import annotations

import os

from ...messages import table
from ...results import RegionMonth
from ..atomic import atomic_output
from ..xlsx import Formats, new_workbook
from .report import TEXT as REPORT_TEXT
from .report import _chart, _Sheet, add_formats

TEXT = table("rollup_book")


def write_rollup(path: str | os.PathLike, r: RegionMonth, lang: str = "zh") -> str:
    t, rt = TEXT[lang], REPORT_TEXT[lang]
    with atomic_output(path) as tmp:
        wb = new_workbook(tmp, kind="rollup")
        f = Formats(wb)
        add_formats(wb, f)
        s = _Sheet(wb, f, t["sheets"][0], rt)
        s.text(t["title"].format(month=r.month), "title")
        s.text(
            t["period"].format(
                start=r.start,
                end=r.end,
                folder=os.path.basename(os.path.abspath(r.folder)),
            ),
            "subtitle",
        )
        rows = []
        for o in r.offices:
            cov = {c["rule"]: c for c in o["coverage"]}
            rows.append(
                [
                    o["rank"],
                    o["office"],
                    o["planned"],
                    o["done"],
                    o["done_pct"],
                    o["successful"],
                    o["successful_pct"],
                    o["calls"],
                    o["satisfaction_avg"],
                    cov["P2"]["actual_pct"],
                    cov["P2"]["met"],
                    cov["P3"]["actual_pct"],
                    cov["P3"]["met"],
                    cov["P4"]["actual_pct"],
                    cov["P4"]["met"],
                    o["overdue_at_month_end"],
                ]
            )
        kinds = (
            None,
            None,
            None,
            None,
            "pct",
            None,
            "pct",
            None,
            "dec",
            "pct",
            None,
            "pct",
            None,
            "pct",
            None,
            None,
        )
        first, last = s.table(t["head"], rows, kinds)
        s.ws.freeze_panes(first, 2)
        if rows:
            chart = _chart(wb, "column", t["chart"], lang)
            name = t["sheets"][0]
            for col, label in ((4, t["series"][0]), (6, t["series"][1])):
                chart.add_series(
                    {
                        "name": label,
                        "categories": [name, first, 1, last, 1],
                        "values": [name, first, col, last, col],
                        "data_labels": {"value": True},
                    }
                )
            chart.set_y_axis(
                {
                    "num_format": "0%",
                    "min": 0,
                    "max": 1,
                    "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                }
            )
            s.ws.insert_chart(s.row + 1, 1, chart, {"x_scale": 1.6, "y_scale": 1.2})
        s.finish(t["title"].format(month=r.month))
        notes = wb.add_worksheet(t["sheets"][1])
        lines = [t["ranking"], t["snapshot"].format(end=r.end), *rt["definitions"], t["overdue"]]
        for i, line in enumerate(lines):
            notes.write_string(i, 0, line, f.get("wrap"))
            notes.set_row(i, 36)
        notes.set_column(0, 0, 110)
        wb.close()
    return os.fspath(path)
