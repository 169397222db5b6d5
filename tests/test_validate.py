"""`followup-xl validate` and `followup-xl rules`: the CLI contract and the annotated copy."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile

import libreoffice as lo
import openpyxl
import pytest

from followup_xl.io.write.template import write_staff_workbook

AS_OF = "2026-11-22"
KEYS = {"code", "severity", "sheet", "row", "column", "cell", "message", "source", "file"}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_json_contract_and_exit_codes(cli, office_dir):
    r = cli("validate", office_dir / "张伟_客户回访.xlsx", "--as-of", AS_OF, "--json")
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert set(d) == {"file", "as_of", "findings", "summary"} and d["as_of"] == AS_OF
    assert d["file"].endswith("张伟_客户回访.xlsx")
    assert d["summary"] == {
        "errors": sum(f["severity"] == "error" for f in d["findings"]),
        "warnings": sum(f["severity"] == "warning" for f in d["findings"]),
    }
    for f in d["findings"]:
        assert set(f) == KEYS and f["severity"] in ("error", "warning")
        if f["row"] is not None:
            assert isinstance(f["row"], int) and f["cell"].endswith(str(f["row"]))
    wb = openpyxl.load_workbook(office_dir / "张伟_客户回访.xlsx")
    for f in d["findings"]:  # the header text is the one in the file, above the cell
        if f["cell"]:
            col = "".join(ch for ch in f["cell"] if ch.isalpha())
            headers = [wb[f["sheet"]][f"{col}{r}"].value for r in range(1, 6)]
            assert f["column"] in headers, f

    ok = cli("validate", office_dir / "刘洋_客户回访.xlsx", "--as-of", AS_OF, "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["summary"]["errors"] == 0


def test_unreadable_file_exits_2_with_a_sentence(cli, tmp_path):
    bad = tmp_path / "客户.xlsx"
    bad.write_text("客户编号,客户名称\nK1,甲\n", encoding="utf-8")
    r = cli("validate", bad, "--as-of", AS_OF)
    assert r.exit_code == 2
    assert "客户.xlsx" in r.output and "Traceback" not in r.output


def test_as_of_and_lang(cli, office_dir):
    path = office_dir / "李娜_客户回访.xlsx"
    now = json.loads(cli("validate", path, "--as-of", AS_OF, "--json").stdout)
    later = json.loads(
        cli("validate", path, "--as-of", "2027-01-01", "--json", "--lang", "en").stdout
    )
    assert "V5a" in {f["code"] for f in now["findings"]} and "V5a" not in {
        f["code"] for f in later["findings"]
    }
    assert all(
        not any("\u4e00" <= ch <= "\u9fff" for ch in f["message"].split("'")[0])
        for f in later["findings"]
    )
    assert {f["sheet"] for f in later["findings"]} <= {
        f["sheet"] for f in now["findings"]
    }  # names as in the file


def test_terminal_output_names_cells(cli, office_dir):
    r = cli("validate", office_dir / "张伟_客户回访.xlsx", "--as-of", AS_OF)
    assert r.exit_code == 1
    assert "V9" in r.output and "错误 3" in r.output


def test_annotated_copy(cli, office_dir, tmp_path):
    src = tmp_path / "in.xlsx"
    shutil.copy(office_dir / "王芳_客户回访.xlsx", src)
    before = digest(src)
    out = tmp_path / "标注.xlsx"
    r = cli("validate", src, "--as-of", AS_OF, "--json", "--annotate", out)
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert digest(src) == before  # the input is never modified
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "问题清单"
    issues = wb["问题清单"]
    assert issues.max_row == len(d["findings"]) + 1
    for i, f in enumerate(d["findings"], start=2):
        assert issues.cell(i, 3).value == f["code"] and issues.cell(i, 7).value == f["message"]
        if f["cell"]:
            assert (
                issues.cell(i, 5).hyperlink.location == f"'{f['sheet']}'!{f['cell']}"
                or issues.cell(i, 5).hyperlink.target == f"#'{f['sheet']}'!{f['cell']}"
            )
            cell = wb[f["sheet"]][f["cell"]]
            assert f["code"] in cell.comment.text and cell.comment.author == "followup-xl"
            assert cell.fill.fgColor.rgb.endswith(
                "FFC7CE" if f["severity"] == "error" else "FFEB9C"
            )
    # the staff member's own tables and dropdowns survive the copy
    orig = openpyxl.load_workbook(src)
    assert wb["回访记录表"].tables.keys() == orig["回访记录表"].tables.keys()
    assert len(wb["回访记录表"].data_validations.dataValidation) == len(
        orig["回访记录表"].data_validations.dataValidation
    )

    # annotating the annotated copy clears the previous marks instead of piling up
    again = tmp_path / "标注2.xlsx"
    r2 = cli("validate", out, "--as-of", "2027-01-01", "--annotate", again)
    wb2 = openpyxl.load_workbook(again)
    assert wb2.sheetnames.count("问题清单") == 1
    ours = [
        c
        for ws in wb2.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.comment is not None and c.comment.author == "followup-xl"
    ]
    assert len({(c.parent.title, c.coordinate) for c in ours}) == len(
        {
            (f["sheet"], f["cell"])
            for f in json.loads(cli("validate", out, "--as-of", "2027-01-01", "--json").stdout)[
                "findings"
            ]
            if f["cell"]
        }
    )
    assert r2.exit_code == 1


def test_annotate_refuses_to_overwrite_its_input(cli, office_dir, tmp_path):
    src = tmp_path / "in.xlsx"
    shutil.copy(office_dir / "张伟_客户回访.xlsx", src)
    before = digest(src)
    r = cli("validate", src, "--as-of", AS_OF, "--annotate", src)
    assert r.exit_code not in (0, 1) and digest(src) == before and "Traceback" not in r.output


def test_annotating_a_macro_workbook_keeps_its_macros(cli, tmp_path):
    src = write_staff_workbook(tmp_path / "book.xlsm", macro=True)
    out = tmp_path / "checked.xlsm"
    r = cli("validate", src, "--as-of", AS_OF, "--annotate", out)
    assert r.exit_code in (0, 1), r.output
    with zipfile.ZipFile(out) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()


@pytest.mark.libreoffice
def test_annotated_copy_opens_in_libreoffice(cli, office_dir, tmp_path):
    out = tmp_path / "标注.xlsx"
    cli("validate", office_dir / "陈静_客户回访.xlsx", "--as-of", AS_OF, "--annotate", out)
    text = lo.pdf_text(out, tmp_path / "pdf")
    assert "V8" in text and "重大投诉应由公司经理回访" in text  # the 问题清单 sheet prints


def test_rules_lists_and_explains(cli, tmp_path):
    r = cli("rules")
    assert r.exit_code == 0
    codes = [line.split()[0] for line in r.output.splitlines() if line.strip()]
    assert codes[:3] == ["V1", "V2", "V3a"] and "V11" in codes and "V16" in codes
    one = cli("rules", "v7")
    assert one.exit_code == 0 and "下次回访日期" in one.output and "示例" in one.output
    en = json.loads(cli("rules", "V2", "--json", "--lang", "en").stdout)
    assert en[0]["code"] == "V2" and en[0]["severity"] == "error" and "landline" in en[0]["fix"]
    missing = cli("rules", "X99")
    assert missing.exit_code == 3 and "X99" in missing.output
