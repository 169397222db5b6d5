"""The example office's outputs against reference files, part by part (not byte by byte).

Regenerate the references after a deliberate change: `python -m tests.make_reference`.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import make_reference as ref
import pytest
import xlsxwriter
from xlsx_compare import compare, parts, vba_modules

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fresh(master, tmp_path_factory) -> dict[str, Path]:
    return ref.write_outputs(master, tmp_path_factory.mktemp("fresh"))


@pytest.mark.parametrize("name", sorted(ref.COMMANDS))
def test_output_matches_its_reference(fresh, name):
    reference = ref.REFERENCE / name
    assert reference.exists(), f"{reference} missing: run `python -m tests.make_reference`"
    diff = compare(fresh[name], reference)
    assert diff is None, f"{diff}. If the change is meant: python -m tests.make_reference"


# --- the comparison itself ------------------------------------------------------


def book(path: Path, value, created=dt.datetime(2026, 1, 1)) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": created})
    ws = wb.add_worksheet("客户名录簿")
    ws.write_row(0, 0, ["客户编号", "联系电话"])
    ws.write(1, 0, value)
    wb.close()
    return path


def rezip(src: Path, dst: Path, change: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name not in change or change[name] is not None:
                zout.writestr(name, change.get(name) or zin.read(name))
    return dst


def test_creation_time_and_attribute_order_do_not_count(tmp_path):
    a = book(tmp_path / "a.xlsx", 1)
    b = book(tmp_path / "b.xlsx", 1, created=dt.datetime(2030, 5, 6, 7, 8, 9))
    assert parts(a)["docProps/core.xml"] != parts(b)["docProps/core.xml"]
    assert compare(b, a) is None
    rels = parts(a)["xl/_rels/workbook.xml.rels"].decode()
    swapped = rels.replace('<Relationship Id="rId1" Type="', '<Relationship Type="').replace(
        '/worksheet" Target="worksheets/sheet1.xml"/>',
        '/worksheet" Target="worksheets/sheet1.xml" Id="rId1"/>',
    )
    assert swapped != rels
    c = rezip(a, tmp_path / "c.xlsx", {"xl/_rels/workbook.xml.rels": swapped.encode()})
    assert compare(c, a) is None


def test_a_changed_cell_is_named_by_part_and_element(tmp_path):
    a, b = book(tmp_path / "a.xlsx", 1), book(tmp_path / "b.xlsx", 2)
    diff = compare(b, a)
    assert diff is not None and diff.startswith("xl/worksheets/sheet1.xml: element")
    assert 'c r="A2"' in diff and "'2'" in diff and "'1'" in diff


def test_a_missing_part_is_named(tmp_path):
    a = book(tmp_path / "a.xlsx", 1)
    b = rezip(a, tmp_path / "b.xlsx", {"xl/theme/theme1.xml": None})
    diff = compare(b, a)
    assert diff is not None and "missing ['xl/theme/theme1.xml']" in diff


def test_vba_is_compared_by_its_modules_source():
    """The extractor really reads the button module, so a changed macro would show."""
    xlsm = ROOT / "workbook_templates" / "客户回访工作簿.xlsm"
    modules = vba_modules(parts(xlsm)["xl/vbaProject.bin"])
    source = (ROOT / "followup_xl" / "data" / "FollowUp.bas").read_text(encoding="utf-8")
    assert modules["FollowUp.bas"].splitlines()[-5:] == source.strip().splitlines()[-5:]
