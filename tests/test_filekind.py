"""Every workbook the tool writes says what it is; a staff book the office made says nothing."""

from followup_xl.io import filekind
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.io.xlsx import new_workbook


def test_outputs_carry_their_kind_and_office_books_none(tmp_path):
    assert filekind.read_kind(write_staff_workbook(tmp_path / "t.xlsx")) == "template"
    wb = new_workbook(tmp_path / "d.xlsx", kind="due")
    wb.add_worksheet("x")
    wb.close()
    assert filekind.read_kind(tmp_path / "d.xlsx") == "due"
    plain = new_workbook(tmp_path / "p.xlsx")
    plain.add_worksheet("x")
    plain.close()
    assert filekind.read_kind(tmp_path / "p.xlsx") is None
    (tmp_path / "n.xlsx").write_bytes(b"not a zip")
    assert filekind.read_kind(tmp_path / "n.xlsx") is None
    assert (
        filekind.describe("due") == "待回访清单"
        and filekind.describe(None, "en") == "staff workbook"
    )
