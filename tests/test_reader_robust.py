"""Files that cannot take the batch down: a far cell, many error cells, many merged ranges, a crashing reader."""

from __future__ import annotations

import json
import shutil

import badfiles
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl.cli import main
from followup_xl.io.read import sheetscan
from followup_xl.io.read.workbook import _fill_merged, read_book


def test_far_cell_is_read_sparsely_and_the_rows_are_all_there(tmp_path):
    src = badfiles.far_cell(tmp_path)
    scan = sheetscan.scan_workbook(str(src))["客户名录簿"]
    assert scan.sparse and scan.far == "XFD1048576" and scan.grid == 16384 * 1048576
    book = read_book(src)
    assert [(c.customer_id, c.phone, c.src.row) for c in book.customers] == [
        ("K1", "13800138002", 2)
    ]


def test_ordinary_books_are_not_measured_cell_by_cell(tmp_path):
    """The cheap path: a template book (columns A–Z) never pays for the per-cell pass."""
    src = badfiles._good(tmp_path, "good.xlsx", badfiles.small_book())
    scans = sheetscan.scan_workbook(str(src))
    assert scans and all(s.grid == 0 and not s.sparse for s in scans.values())


def test_a_wide_and_dense_sheet_is_not_called_sparse():
    def row(r):
        return (
            b'<row r="%d">' % r
            + b"".join(
                b'<c r="%s%d"><v>1</v></c>' % (c.encode(), r) for c in ("A", "Z", "AA", "AB")
            )
            + b"</row>"
        )

    data = b"<sheetData>" + b"".join(row(r) for r in range(1, 12001)) + b"</sheetData>"
    scan = sheetscan.scan_sheet(data)
    assert scan.grid == 12000 * 28 and scan.cells == 48000 and not scan.sparse


def test_cells_without_references_are_placed_like_calamine_places_them():
    """No r= on the far cell: it still counts where it lands (row r, after the previous cell)."""
    data = (
        b'<sheetData><row r="1"><c r="XFD1"><v>1</v></c></row>'
        b'<row r="1048576"><c><v>2</v></c></row></sheetData>'
    )
    scan = sheetscan.scan_sheet(data)
    assert scan.sparse and scan.far == "A1048576"


def test_error_cells_every_way_they_are_written():
    data = (
        b'<sheetData><row r="2"><c r="C2" t="e"><v>#N/A</v></c><c r="D2" s="3" t="e"><f>1/0</f>'
        b'<v>#DIV/0!</v></c><c r="E2" t="e"/><c r="F2" t="e"></c></row>'
        b'<row r="3"><c r="G3" t="e"/><c r="H3" t="e"><v>#REF!</v></c></row></sheetData>'
    )
    assert sheetscan.error_cells(data) == {(2, 2): "#N/A", (2, 3): "#DIV/0!", (3, 7): "#REF!"}


def test_many_error_cells_are_read_with_the_ones_that_matter(tmp_path):
    book = read_book(badfiles.many_error_cells(tmp_path))
    k2 = next(c for c in book.customers if c.customer_id == "K2")
    assert k2.bad == {"phone": "#N/A", "owner": "#N/A"}


def _fill_merged_naive(rows, merged, header_idx):
    """The definition: every empty cell of a range below its first row takes the first row's value."""
    rows = [list(r) for r in rows]
    for (r1, c1), (r2, c2) in merged:
        if r2 <= r1 or r1 <= header_idx:
            continue
        first = rows[r1 - header_idx - 1] if r1 - header_idx - 1 < len(rows) else []
        value = first[c1] if c1 < len(first) else ""
        for i in range(r1 + 1, min(r2, header_idx + len(rows)) + 1):
            row = rows[i - header_idx - 1]
            if len(row) <= c2:
                row.extend([""] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                if row[c] in ("", None):
                    row[c] = value
    return rows


@st.composite
def merged_sheets(draw):
    n_rows, width = draw(st.integers(1, 25)), draw(st.integers(1, 6))
    rows = [
        [draw(st.sampled_from(["", "x", "y", 3])) for _ in range(draw(st.integers(0, width)))]
        for _ in range(n_rows)
    ]
    cells: set = set()
    ranges: list = []
    for _ in range(draw(st.integers(0, 8))):  # non-overlapping ranges, as Excel keeps them
        r1, c1 = draw(st.integers(0, n_rows + 1)), draw(st.integers(0, width))
        r2, c2 = r1 + draw(st.integers(0, 4)), c1 + draw(st.integers(0, 2))
        box = {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        if not box & cells:
            cells |= box
            ranges.append(((r1, c1), (r2, c2)))
    return rows, ranges, draw(st.integers(0, 2))


@settings(max_examples=300, deadline=None)
@given(merged_sheets())
def test_merged_ranges_are_filled_as_defined(sheet):
    rows, ranges, header_idx = sheet
    got = list(_fill_merged(iter([list(r) for r in rows]), ranges, header_idx))
    assert got == _fill_merged_naive(rows, ranges, header_idx)


def test_many_merged_ranges_fill_every_row(tmp_path):
    book = read_book(badfiles.many_merged_ranges(tmp_path, n=500))
    assert len(book.calls) == 1000
    assert [c.customer_id for c in book.calls[:4]] == ["K0", "K0", "K1", "K1"]
    assert all(c.customer_id for c in book.calls)


def test_merge_survives_a_reader_that_crashes(tmp_path, monkeypatch):
    """A crash (here a real Rust abort in python-calamine) is that input's error; the rest is merged."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    badfiles._good(inbox, "张伟.xlsx", badfiles.small_book())
    shutil.copy(badfiles.far_cell(tmp_path), inbox / "far.xlsx")
    # Take away the far-cell defence and read every input in a child: calamine then aborts on far.xlsx.
    monkeypatch.setattr(sheetscan, "scan_sheet", lambda *a: sheetscan.SheetScan())
    monkeypatch.setattr(
        "followup_xl.io.read.batch.ISOLATED_FORMATS", ("xlsx", "xls", "xlsb", "ods")
    )
    result = CliRunner().invoke(
        main, ["merge", str(inbox), "-o", str(tmp_path / "master.xlsx"), "--json"]
    )
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    status = {i["path"].rsplit("/", 1)[-1]: i for i in out["inputs"]}
    assert status["张伟.xlsx"]["status"] == "merged" and status["张伟.xlsx"]["customers"] > 0
    assert status["far.xlsx"]["status"] == "error" and "崩溃" in status["far.xlsx"]["error"]
    assert out["written"] and (tmp_path / "master.xlsx").exists()
