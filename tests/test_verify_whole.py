"""`verify` covers the whole master (issue 25, item 10): every ordinary Excel edit made after the
master was written gives exit 1 and names its place — a blanked 校验码, the 校验码 column deleted,
规则/人员 edited, rows deleted, a row inserted, provenance edited — with old → new where known.

A real master written by `merge` from real staff books, then edited with openpyxl as Excel saves.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from test_weekly_cycle import DAY, call, cust, office_books, write_books

CHECK_SHEET = (
    "_followup_check"  # mastercheck.CHECK_SHEET (a literal: the tests also run on older code)
)
CUSTOMERS, CALLS, STAFF, RULES = "客户名录簿", "回访记录表", "人员", "规则"
EXTRA = 60  # customers (and as many calls) of 张伟 beyond the small office's


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """One master by the real merge: the small office of test_weekly_cycle plus 60 customers and
    60 calls more, so 50 rows can be deleted. Read it, never write it (tests edit a copy)."""
    from conftest import Cli

    books = office_books()
    zw = books["张伟"]
    for n in range(EXTRA):
        zw.customers.append(cust(f"G{n:03d}", "张伟", f"137{n:08d}"))
        zw.calls.append(call(f"GR{n:03d}", f"G{n:03d}", "张伟", DAY))
    root = tmp_path_factory.mktemp("verify_whole")
    write_books(root / "收件箱", books)
    master = root / "总表" / "总表.xlsx"
    master.parent.mkdir()
    code, res = Cli().json("merge", root / "收件箱", "-o", master, "--as-of", DAY)
    assert code == 0, res
    return master


@pytest.fixture
def copy(written, tmp_path) -> Path:
    """A copy of the master in its own folder with the office key beside it (as when moved with it)."""
    folder = tmp_path / "总表"
    shutil.copytree(written.parent, folder)
    return folder / written.name


def headers(ws) -> dict:
    return {c.value: c.column for c in ws[1] if c.value}


def row_of(ws, value, column: int = 1) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, column).value == value)


def edited(path: Path, change) -> Path:
    """``change(workbook)``, saved as Excel would (openpyxl keeps the hidden sheet and properties)."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def verify(cli, path: Path, code: int) -> dict:
    got, res = cli.json("verify", path)
    assert got == code, res
    return res


def findings(res: dict, finding: str) -> list[dict]:
    return [m for m in res["mismatches"] if m["finding"] == finding]


def test_the_untouched_master_verifies_whole(cli, written):
    res = verify(cli, written, 0)
    assert res["whole_master"] is True and res["warnings"] == [] and res["mismatches"] == []
    wb = openpyxl.load_workbook(written, read_only=False)
    assert wb[CHECK_SHEET].sheet_state == "veryHidden"
    assert wb.sheetnames[-1] == CHECK_SHEET


def test_a_blanked_check_code_is_named(cli, copy):
    def blank(wb):
        ws = wb[CUSTOMERS]
        ws.cell(row_of(ws, "K2"), headers(ws)["校验码"]).value = None

    res = verify(cli, edited(copy, blank), 1)
    (m,) = res["mismatches"]
    assert (m["finding"], m["sheet"], m["id"]) == ("code_blank", CUSTOMERS, "K2")
    assert m["row"] >= 2 and m["cell"].endswith(str(m["row"]))
    assert "校验码" in m["message"] and "K2" in m["message"]


def test_the_deleted_check_code_column_is_named(cli, copy):
    def drop(wb):
        ws = wb[CALLS]
        ws.delete_cols(headers(ws)["校验码"])

    res = verify(cli, edited(copy, drop), 1)
    (m,) = res["mismatches"]
    assert (m["finding"], m["sheet"], m["row"]) == ("code_column_missing", CALLS, None)


def test_a_rule_changed_says_old_and_new(cli, copy):
    def change(wb):
        ws = wb[RULES]
        ws.cell(row_of(ws, "员工版隐藏A类客户资料"), headers(ws)["值"]).value = "否"

    res = verify(cli, edited(copy, change), 1)
    (m,) = res["mismatches"]
    assert (m["finding"], m["sheet"], m["row"], m["field"]) == (
        "table_row_changed",
        RULES,
        2,
        "value",
    )
    assert (m["old"], m["new"], m["id"]) == ("是", "否", "员工版隐藏A类客户资料")
    assert "“是”改为“否”" in m["message"]


def test_a_persons_role_changed_says_old_and_new(cli, copy):
    def promote(wb):
        ws = wb[STAFF]
        ws.cell(row_of(ws, "王芳"), headers(ws)["角色"]).value = "公司经理"

    res = verify(cli, edited(copy, promote), 1)
    (m,) = res["mismatches"]
    assert (m["finding"], m["sheet"], m["id"], m["field"]) == (
        "table_row_changed",
        STAFF,
        "王芳",
        "role",
    )
    assert (m["old"], m["new"]) == ("员工", "公司经理")


def test_fifty_deleted_rows_are_each_named_with_their_id(cli, copy):
    gone = [f"G{n:03d}" for n in range(5, 55)]

    def delete(wb):
        ws = wb[CUSTOMERS]
        first = row_of(ws, gone[0])
        assert [ws.cell(first + i, 1).value for i in range(50)] == gone
        ws.delete_rows(first, 50)

    res = verify(cli, edited(copy, delete), 1)
    deleted = findings(res, "row_deleted")
    assert len(res["mismatches"]) == len(deleted) == 50
    assert sorted(m["id"] for m in deleted) == gone
    assert {m["sheet"] for m in deleted} == {CUSTOMERS}


def test_an_inserted_row_is_named(cli, copy):
    where: list[int] = []

    def insert(wb):
        ws = wb[CALLS]
        r = row_of(ws, "R2") + 1
        ws.insert_rows(r)
        for c in range(1, ws.max_column + 1):  # a copy of the row above, given a new id
            ws.cell(r, c).value = ws.cell(r - 1, c).value
        ws.cell(r, 1).value = "R99"
        where.append(r)

    res = verify(cli, edited(copy, insert), 1)
    (m,) = res["mismatches"]
    assert (m["finding"], m["sheet"], m["row"], m["id"]) == ("row_inserted", CALLS, where[0], "R99")


def test_an_edited_source_file_says_old_and_new(cli, copy):
    def edit(wb):
        ws = wb[CUSTOMERS]
        ws.cell(row_of(ws, "K7"), headers(ws)["来源文件"]).value = "别人的.xlsx"

    res = verify(cli, edited(copy, edit), 1)
    (m,) = res["mismatches"]
    assert (m["finding"], m["sheet"], m["id"], m["field"]) == (
        "provenance_edited",
        CUSTOMERS,
        "K7",
        "src_file",
    )
    assert (m["old"], m["new"]) == ("王芳_客户回访.xlsx", "别人的.xlsx")


def test_the_text_output_names_each_place_in_either_language(cli, copy):
    def edit(wb):
        ws = wb[STAFF]
        ws.cell(row_of(ws, "王芳"), headers(ws)["角色"]).value = "公司经理"
        ws = wb[CUSTOMERS]
        ws.delete_rows(row_of(ws, "K8"))

    edited(copy, edit)
    zh = cli("verify", copy, ok=(1,)).output
    assert f"{STAFF} › 第" in zh and "角色由“员工”改为“公司经理”" in zh
    assert f"{CUSTOMERS}：原第" in zh and "（K8）在总表写出后被删除" in zh
    en = cli("verify", copy, "--lang", "en", ok=(1,)).output
    assert 'Role changed from "员工" to "公司经理"' in en and "(K8) was deleted" in en
    assert "2 change(s)" in en


def test_without_the_key_verify_says_what_it_could_not_check(cli, copy):
    def blank(wb):
        ws = wb[CUSTOMERS]
        ws.cell(row_of(ws, "K2"), headers(ws)["校验码"]).value = None

    edited(copy, blank)
    key = copy.parent / ".followup-xl" / "office.key"
    key.rename(copy.parent / "elsewhere.key")
    res = verify(cli, copy, 0)  # as before: the rows that still have a code match it
    assert res["whole_master"] is False
    (warning,) = res["warnings"]
    assert "办公室密钥" in warning and str(key) in warning
    out = cli("verify", copy, ok=(0,))
    assert str(key) in out.stderr


def test_an_edited_check_sheet_or_stamp_is_a_warning(cli, copy, tmp_path):
    from test_lineage import set_property

    other = copy.with_name("另一份.xlsx")
    shutil.copy(copy, other)

    def tamper(wb):
        ws = wb[CHECK_SHEET]
        ws.cell(ws.max_row, 1).value = "x"

    res = verify(cli, edited(copy, tamper), 0)
    assert res["whole_master"] is False and "_followup_check" in res["warnings"][0]
    set_property(other, "followup-xl-stamp", "{}.00")
    res = verify(cli, other, 0)
    assert res["whole_master"] is False and "不能用办公室密钥" in res["warnings"][0]


def test_an_older_master_is_checked_as_before_with_one_warning(cli, copy):
    """A master from before the check sheet: stamped without its digest, or not stamped at all."""
    from test_lineage import set_property

    from followup_xl.io.master.officekey import key_for
    from followup_xl.lineage import Stamp, sign

    older = sign(Stamp("master", 1, "abcd0123", "2026-03-16"), key_for(copy) or b"")
    set_property(copy, "followup-xl-stamp", older)
    res = verify(cli, copy, 0)
    assert res["whole_master"] is False and "较早的版本" in res["warnings"][0]
    set_property(copy, "followup-xl-stamp", "")
    res = verify(cli, copy, 0)
    assert res["whole_master"] is False and "没有本工具的签名印记" in res["warnings"][0]


def test_a_master_with_closed_years_beside_it_compares_only_its_own_rows(cli, tmp_path):
    """The archive files' calls are read with the master (and carry no 校验码): they are neither
    inserted rows nor do they hide the master's own deleted call."""
    from followup_xl import api
    from followup_xl.demo import office as example_office
    from followup_xl.io.write.template import write_staff_workbook

    office = example_office.generate(customers_per_owner=10, owners=["张伟"], plant_mistakes=False)
    book = office.books["张伟"]
    third = len(book.calls) // 3
    for i, k in enumerate(book.calls[: 2 * third]):  # calls in 2024, 2025 and 2026
        object.__setattr__(k, "call_date", k.call_date.replace(year=2024 if i < third else 2025))
    src = tmp_path / "张伟_客户回访.xlsx"
    write_staff_workbook(src, book=book)
    out = tmp_path / "汇总" / "总表.xlsx"
    out.parent.mkdir()
    assert api.merge([str(src)], str(out), archive_over=20).exit_code == 0
    assert (out.parent / "回访历史档案").is_dir()
    res = verify(cli, out, 0)
    assert res["whole_master"] is True and res["mismatches"] == []
    gone: list = []

    def delete(wb):
        ws = wb[CALLS]
        gone.append(ws.cell(2, 1).value)
        ws.delete_rows(2)

    res = verify(cli, edited(out, delete), 1)
    assert [(m["finding"], m["sheet"], m["row"], m["id"]) for m in res["mismatches"]] == [
        ("row_deleted", CALLS, 2, gone[0])
    ]
