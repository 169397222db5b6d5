"""`followup-xl import OLD --preview`: what import would do, before it does it.

A workbook of four sheets — 概况 (counts and what import noticed), 列 (each column: mapped to
which field, kept as the office's own column, or ignored), 行 (each data row: new customer,
same as row N, possible duplicate of row N, a call, skipped and why), 待核对 (the possible
duplicates only) — and beside it a mapping file (TOML) the person can edit and pass back
with --map. Nothing else is written.
"""

from __future__ import annotations

import os

from ... import schema
from ...messages import Message, localize, render, table
from ..atomic import atomic_output
from ..xlsx import FONT, Formats, new_workbook

TEXT = table("import_preview")


def target_label(target: str | None, lang: str) -> str:
    """'customers.phone' → '客户名录簿 · 联系电话' (Phone · Customers in English)."""
    if not target:
        return ""
    sheet_key, _, key = target.partition(".")
    sheet = schema.BY_KEY[sheet_key]
    return f"{sheet.title(lang)} · {sheet.column(key).header(lang)}"


def _said(value: Message | str | None, lang: str) -> str:
    return "" if value is None else str(localize(value, lang))


def outcome_label(row: dict, lang: str) -> str:
    return TEXT[lang]["outcomes"][OUTCOMES.index(row["outcome"])]


OUTCOMES = ("new", "same", "duplicate", "call", "taken", "skipped", "existing")


def _put(ws, row: int, col: int, value: str, fmt) -> None:
    """A text cell; an empty one stays empty (formatted)."""
    if value:
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def write_preview(path: str, result, lang: str = "zh") -> str:
    """The preview workbook at ``path`` (an ImportResult with rows and columns)."""
    t = TEXT[lang]
    with atomic_output(path) as tmp:
        wb = new_workbook(tmp, kind="import-preview")
        f = Formats(wb)
        summary = wb.add_worksheet(t["sheets"][0])
        summary.set_column(0, 0, 28)
        summary.set_column(1, 1, 90)
        summary.write_string(0, 0, t["title"], f.get("title"))
        summary.write_string(1, 0, ", ".join(os.path.basename(p) for p in result.inputs))
        counts = [
            (t["counts"][0], result.customers),
            (t["counts"][1], result.calls),
            (t["counts"][2], result.events),
            (t["counts"][3], sum(1 for r in result.rows if r["outcome"] == "same")),
            (t["counts"][4], sum(1 for r in result.rows if r["outcome"] == "duplicate")),
            (t["counts"][5], sum(1 for r in result.rows if r["outcome"] == "skipped")),
        ]
        number = wb.add_format({"font_name": FONT, "font_size": 10, "align": "left"})
        for i, (label, n) in enumerate(counts):
            summary.write_string(3 + i, 0, label, f.get("bold"))
            summary.write_number(3 + i, 1, n, number)
        row = 4 + len(counts)
        for note in result.notes:
            summary.write_string(row, 1, _said(note, lang), f.get("wrap"))
            summary.set_row(row, 30)
            row += 1
        summary.write_string(row + 1, 0, t["next"], f.get("bold"))
        summary.write_string(
            row + 1,
            1,
            render("import.preview_next", lang, map_file=os.path.basename(result.map_file or "")),
            f.get("wrap"),
        )
        summary.set_row(row + 1, 45)
        summary.set_landscape()
        summary.fit_to_pages(1, 0)

        cols = wb.add_worksheet(t["sheets"][1])
        for j, (head, width) in enumerate(zip(t["columns_head"], (14, 22, 30, 14), strict=True)):
            cols.write_string(0, j, head, f.get("header"))
            cols.set_column(j, j, width)
        for i, c in enumerate(result.columns, start=1):
            status = t["statuses"][("mapped", "kept", "ignored").index(c["status"])]
            fmt = f.get("text") if c["status"] == "mapped" else f.get("grey")
            cols.write_string(i, 0, c["sheet"], fmt)
            cols.write_string(i, 1, c["header"], fmt)
            _put(cols, i, 2, target_label(c["target"], lang), fmt)
            cols.write_string(i, 3, status, fmt)
        cols.freeze_panes(1, 0)
        cols.fit_to_pages(1, 0)
        cols.autofilter(0, 0, max(1, len(result.columns)), 3)

        def rows_sheet(name: str, rows: list[dict]) -> None:
            ws = wb.add_worksheet(name)
            widths = (14, 7, 14, 12, 22, 70)
            for j, (head, width) in enumerate(zip(t["rows_head"], widths, strict=True)):
                ws.write_string(0, j, head, f.get("header"))
                ws.set_column(j, j, width)
            for i, r in enumerate(rows, start=1):
                fmt = {
                    "duplicate": f.get("amber"),
                    "skipped": f.get("red"),
                    "same": f.get("grey"),
                }.get(r["outcome"], f.get("text"))
                ws.write_string(i, 0, r["sheet"], fmt)
                ws.write_number(i, 1, r["row"], fmt)
                ws.write_string(i, 2, outcome_label(r, lang), fmt)
                _put(ws, i, 3, r["customer_id"] or "", fmt)
                same = r.get("same_as")
                ref = (
                    render(
                        "import.preview_row_ref", lang, sheet_name=same["sheet"], row=same["row"]
                    )
                    if same
                    else ""
                )
                _put(ws, i, 4, ref, fmt)
                _put(ws, i, 5, _said(r.get("reason"), lang), fmt)
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(1, len(rows)), 5)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)  # printed (and previewed) one page wide

        rows_sheet(t["sheets"][2], result.rows)
        rows_sheet(t["sheets"][3], [r for r in result.rows if r["outcome"] == "duplicate"])
        wb.close()
    return os.fspath(path)


def _toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_map_file(path: str, result, lang: str = "zh") -> str:
    """The mapping import used, as a --map file: one line a header, edit and pass back."""
    t = TEXT[lang]
    lines = [f"# {line}" for line in t["map_intro"]]
    lines.append("[columns]")
    seen: set[str] = set()
    for c in result.columns:
        if c["header"] in seen:
            continue
        seen.add(c["header"])
        where = f"  # {c['sheet']}"
        if c["status"] == "mapped":
            lines.append(f"{_toml_string(c['header'])} = {_toml_string(c['target'])}{where}")
        elif c["status"] == "ignored":
            lines.append(f"{_toml_string(c['header'])} = {_toml_string('ignore')}{where}")
        else:
            lines.append(f'# {_toml_string(c["header"])} = ""{where}: {t["statuses"][1]}')
    lines.append("")
    with atomic_output(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    return os.fspath(path)
