"""Lineage (issue 25): a stale, forged or mis-named book changes nothing without the manager's yes.

Real files throughout: masters written by `merge`, books written by `split`, edited with openpyxl
the way Excel saves them, handed back through the CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from test_weekly_cycle import DAY, cust, office_books, write_books

from followup_xl.io.read.workbook import read_book

CUSTOMERS, CALLS = "客户名录簿", "回访记录表"


def _ws_id_col(ws) -> tuple[dict, int]:
    headers = {c.value: c.column for c in ws[1] if c.value}
    return headers, 1


_SAVES = iter(range(1, 10**9))


def edit(path: Path, sheet: str, rid: str, out: Path | None = None, **values) -> Path:
    """Change cells of the row whose first column is ``rid`` (headers in Chinese), as Excel saves:
    the file's bytes always differ from any earlier save (Excel stamps who saved it and when; two
    openpyxl saves within one second would not), so a re-saved book is never the very same file."""
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    wb.properties.lastModifiedBy = f"saved {next(_SAVES)}"
    ws = wb[sheet]
    headers, _ = _ws_id_col(ws)
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == rid)
    for header, v in values.items():
        ws.cell(row, headers[header]).value = v
    target = out or path
    wb.save(target)
    return target


def delete_row(path: Path, sheet: str, rid: str) -> None:
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    ws = wb[sheet]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == rid)
    ws.delete_rows(row)
    wb.save(path)


def set_property(path: Path, name: str, value: str) -> None:
    from openpyxl.packaging.custom import StringProperty

    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    props = wb.custom_doc_props  # type: ignore[attr-defined]
    for p in list(props.props):
        if p.name == name:
            props.props.remove(p)
    props.append(StringProperty(name=name, value=value))
    wb.save(path)


def get_property(path: Path, name: str) -> str | None:
    wb = openpyxl.load_workbook(path, read_only=True, keep_vba=path.suffix == ".xlsm")
    return next((p.value for p in wb.custom_doc_props.props if p.name == name), None)  # type: ignore[attr-defined]


def customers(path: Path) -> dict:
    return {c.customer_id: c for c in read_book(path).customers}


def calls(path: Path) -> dict:
    return {c.record_id: c for c in read_book(path).calls}


def sheet_rows(path: Path, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    if name not in wb.sheetnames:
        return []
    return [r for r in wb[name].iter_rows(min_row=2, values_only=True) if any(r)]


@pytest.fixture
def office(cli, tmp_path):
    """Week 0: the first master (generation 1, K1's phone typed with 10 digits) and the books
    split from it (stamped, each with the rows as sent)."""
    books = office_books()
    books["张伟"].customers[0] = cust("K1", "张伟", "1380000001")  # 10 digits: invalid
    inbox = tmp_path / "收件箱0"
    write_books(inbox, books)
    masters = tmp_path / "总表"
    masters.mkdir()
    m1 = masters / "总表_第1周.xlsx"
    code, res = cli.json("merge", inbox, "-o", m1, "--as-of", DAY)
    assert code == 0, res
    assert res["generation"]["generation"] == 1 and res["base"] is None
    return tmp_path, m1


def split(cli, master: Path, folder: Path) -> Path:
    code, res = cli.json("split", master, "-o", folder, "--as-of", DAY)
    assert code == 0, res
    return folder


def merge(cli, master: Path | None, *inputs, out: Path, ok=(0,)) -> dict:
    args = ["merge", *inputs, "-o", out, "--as-of", DAY]
    if master is not None:
        args += ["--master", master]
    code, res = cli.json(*args)
    assert code in ok, res
    return res


def book_of(folder: Path, who: str) -> Path:
    return next(folder.glob(f"{who}_*"))


def applied(res) -> set:
    return {(c["id"], c["field"]) for c in res["changes"] if c["status"] == "applied"}


def test_split_books_carry_a_signed_stamp_and_the_rows_as_sent(cli, office):
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    stamp = get_property(book_of(s1, "张伟"), "followup-xl-stamp")
    body = json.loads(stamp.rpartition(".")[0])
    assert body["o"] == "张伟" and body["g"] == 1 and body["k"] == "staff"
    wb = openpyxl.load_workbook(book_of(s1, "张伟"), keep_vba=True)
    assert wb["_followup_base"].sheet_state == "veryHidden"
    ids = {r[1] for r in wb["_followup_base"].iter_rows(values_only=True)}
    assert {"K1", "K2", "K3", "R1", "R4"} <= ids and "K7" not in ids
    # the key stays in the manager's folder, never in a book
    key = (m1.parent / ".followup-xl" / "office.key").read_text().strip()
    assert key not in book_of(s1, "张伟").read_bytes().hex()


def test_an_old_book_handed_in_again_reverts_nothing(cli, office):
    """Week 1 corrects, week 2 corrects again; the week-1 book comes back (as is, re-saved, and with a
    late edit): the phone stays corrected, the signature stays, the late edit waits for a yes."""
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    zw1 = book_of(s1, "张伟")
    edit(zw1, CUSTOMERS, "K3", 备注="第一周备注")
    m2 = m1.with_name("总表_第2周.xlsx")
    res = merge(cli, m1, zw1, out=m2)
    assert applied(res) == {("K3", "备注")}
    s2 = split(cli, m2, tmp / "分发2")
    zw2 = book_of(s2, "张伟")
    edit(zw2, CUSTOMERS, "K1", 联系电话="13800000001")  # corrected to 11 digits
    edit(zw2, CALLS, "R4", 客户签名="张三")
    m3 = m1.with_name("总表_第3周.xlsx")
    res = merge(cli, m2, zw2, out=m3)
    assert applied(res) == {("K1", "联系电话"), ("R4", "客户签名")}

    # (a) the very file merged two weeks ago: reported, changes nothing
    again = tmp / "收件箱3"
    again.mkdir()
    shutil.copy(zw1, again / zw1.name)
    m4 = m1.with_name("总表_第4周a.xlsx")
    res = merge(cli, m3, again, out=m4)
    assert res["books"]["replayed"] == [str(again / zw1.name)]
    row = next(i for i in res["inputs"] if i["path"].endswith(zw1.name))
    assert row["status"] == "ignored" and "第2代" in row["note"]
    assert res["changes"] == []
    # (b) the same book re-saved by Excel (other bytes): stale, nothing reverts
    (tmp / "收件箱4").mkdir()
    resaved = edit(zw1, CUSTOMERS, "K2", out=tmp / "收件箱4" / zw1.name)  # no value changed
    m4b = m1.with_name("总表_第4周b.xlsx")
    res = merge(cli, m3, resaved, out=m4b)
    assert res["changes"] == [] and res["books"]["stale"] == [str(resaved)]
    got = customers(m4b)
    assert got["K1"].raw("phone") == "13800000001" and got["K3"].note == "第一周备注"
    assert calls(m4b)["R4"].signature == "张三"
    # (c) and with an edit made late in the old book: held, reason 基于旧版总表
    edit(resaved, CUSTOMERS, "K2", 备注="迟到的修改")
    m4c = m1.with_name("总表_第4周c.xlsx")
    res = merge(cli, m3, resaved, out=m4c)
    assert applied(res) == set()
    held = res["held"]
    assert [(h["id"], h["field"]) for h in held] == [("K2", "备注")]
    assert "旧版总表" in held[0]["reason"]
    assert customers(m4c)["K2"].note in (None, "")
    pending = sheet_rows(m4c, "待批准")
    assert len(pending) == 1 and "旧版总表" in pending[0][9]


def test_both_sides_changed_is_held_with_both_values(cli, office):
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    zw = book_of(s1, "张伟")
    other = tmp / "另一份" / zw.name
    other.parent.mkdir()
    shutil.copy(zw, other)  # two copies of one person's book, edited by two people
    edit(zw, CUSTOMERS, "K1", 备注="张伟写的")
    m2 = m1.with_name("总表_第2周.xlsx")
    assert applied(merge(cli, m1, zw, out=m2)) == {("K1", "备注")}
    edit(other, CUSTOMERS, "K1", 备注="同事写的")
    m3 = m1.with_name("总表_第3周.xlsx")
    res = merge(cli, m2, other, out=m3)
    assert applied(res) == set()
    (held,) = res["held"]
    assert (held["old"], held["new"]) == ("张伟写的", "同事写的")
    assert "两个值请选一个" in held["reason"] and "张伟" in held["reason"]  # who changed the master
    assert customers(m3)["K1"].note == "张伟写的"


def test_a_book_claiming_to_be_the_master_never_becomes_the_base(cli, office):
    """A staff book with the master's document property, named like last week's master, with rules,
    staff and another person's customer changed: the named master stays the base."""
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    inbox = tmp / "收件箱2"
    inbox.mkdir()
    fake = inbox / m1.name  # the very name of last week's master
    shutil.copy(book_of(s1, "王芳"), fake.with_suffix(".xlsm"))
    fake = fake.with_suffix(".xlsm")
    edit(fake, "规则", "员工版隐藏A类客户资料", 值="否")
    edit(fake, "人员", "王芳", 角色="公司经理")
    wb = openpyxl.load_workbook(fake, keep_vba=True)
    ws = wb[CUSTOMERS]
    ws.append(["K1", "客户K1", None, "13899999999", "B", None, "张伟"])  # someone else's customer
    wb.save(fake)
    set_property(fake, "followup-xl-kind", "master")
    m2 = m1.with_name("总表_第2周.xlsx")
    res = merge(cli, m1, inbox, out=m2)
    assert res["base"]["path"] == str(m1) and res["base"]["generation"] == 1
    assert res["books"]["forged"] == [str(fake)]
    assert any("签章无法验证" in w for w in res["warnings"])
    new = read_book(m2)
    assert {r.key: r.value for r in new.rules}["员工版隐藏A类客户资料"] == "是"
    assert {s.name: s.role for s in new.staff}["王芳"] == "员工"
    assert customers(m2)["K1"].raw("phone") == "1380000001"
    assert any(c["kind"] == "not_owner" and c["customer_id"] == "K1" for c in res["conflicts"])
    # named as a file without --master: refused, with what to do
    res = merge(cli, None, fake, m1, out=m1.with_name("总表_x.xlsx"), ok=(1,))
    row = next(i for i in res["inputs"] if i["path"] == str(fake))
    assert row["status"] == "error" and "--master" in row["error"]
    assert res["base"]["path"] == str(m1)  # the real master, named as a file, verifies


def test_rights_come_from_a_verified_stamp_or_a_registered_file_name(cli, office):
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    inbox = tmp / "收件箱2"
    inbox.mkdir()
    # 张伟's book with its stamp's owner changed to 王芳, renamed: the stamp no longer verifies
    forged = inbox / "补交.xlsm"
    shutil.copy(book_of(s1, "张伟"), forged)
    stamp = get_property(forged, "followup-xl-stamp")
    set_property(forged, "followup-xl-stamp", stamp.replace('"o":"张伟"', '"o":"王芳"'))
    wb = openpyxl.load_workbook(forged, keep_vba=True)
    ws = wb[CUSTOMERS]
    ws.append(["K7", "客户K7", None, "13900000077", "B", None, "王芳"])  # 王芳's customer
    wb.save(forged)
    # an unstamped book whose rows mostly name 王芳
    loose = inbox / "杂项.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.worksheets[0]
    sheet.title = CUSTOMERS
    sheet.append(["客户编号", "客户名称", "联系电话", "负责人"])
    sheet.append(["K8", "客户K8", "13900000088", "王芳"])
    sheet.append(["K7", "客户K7", "13900000007", "王芳"])
    wb.save(loose)
    m2 = m1.with_name("总表_第2周.xlsx")
    res = merge(cli, m1, inbox, out=m2)
    assert applied(res) == set()
    got = customers(m2)
    assert got["K7"].phone == "13900000007" and got["K8"].phone == "13900000008"
    clashes = {(c["kind"], c["customer_id"]) for c in res["conflicts"]}
    assert ("not_owner", "K7") in clashes and ("not_owner", "K8") in clashes
    assert str(forged) in res["books"]["forged"]
    assert set(res["books"]["unstamped"]) == {str(forged), str(loose)}


def test_a_deleted_row_waits_for_the_managers_yes(cli, office):
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    zw = book_of(s1, "张伟")
    delete_row(zw, CALLS, "R4")
    delete_row(zw, CALLS, "R1")
    m2 = m1.with_name("总表_第2周.xlsx")
    res = merge(cli, m1, zw, out=m2)
    held = {(h["id"], h["field"]) for h in res["held"]}
    assert held == {("R4", ""), ("R1", "")}
    assert {"R1", "R4"} <= set(calls(m2))  # kept until the manager says yes
    # the manager answers: 是 for R4, 否 for R1
    wb = openpyxl.load_workbook(m2)
    ws = wb["待批准"]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 9).value = "是" if ws.cell(r, 3).value == "R4" else "否"
    answered = m2.with_name("总表_第2周_已批.xlsx")
    wb.save(answered)
    m3 = m1.with_name("总表_第3周.xlsx")
    edit(zw, CUSTOMERS, "K1", 备注="第二周")  # worked on again: not the file already merged
    res = merge(cli, answered, zw, out=m3)
    assert res["books"]["replayed"] == [] and applied(res) == {("K1", "备注")}
    got = calls(m3)
    assert "R4" not in got and "R1" in got
    assert res["held"] == []  # R1 refused: not proposed again
    deleted = sheet_rows(m3, "已删除")
    assert len(deleted) == 1 and deleted[0][2] == "R4" and deleted[0][3] == "张伟"
    assert (zw.name in deleted[0][4] and "回访记录" in deleted[0][5]) or "R4" in deleted[0][5]
    # and it stays deleted: the next split does not send it back
    s3 = split(cli, m3, tmp / "分发3")
    assert "R4" not in {c.record_id for c in read_book(book_of(s3, "张伟")).calls}


def test_a_forgotten_master_is_said_loudly(cli, office):
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    out = m1.with_name("总表_忘了底稿.xlsx")
    res = merge(cli, None, s1, out=out)
    assert res["base"] is None
    assert res["expected_base"]["generation"] == 1
    assert any("--master" in w and "第1代" in w for w in res["warnings"])
    _code, res_en = cli.json(
        "merge", s1, "-o", m1.with_name("forgot_en.xlsx"), "--as-of", DAY, "--lang", "en"
    )
    assert any("--master" in w and "generation 1" in w for w in res_en["warnings"])


def test_a_forgotten_master_written_to_a_new_folder_calls_no_genuine_book_forged(cli, office):
    """The manager forgets --master and writes the new master into a fresh folder: there is no
    office key there, so the split books' stamps cannot be checked. They are unverifiable, not
    forged (a genuine book must never be called a forgery); the forgotten master is still said."""
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    fresh = tmp / "新文件夹"
    fresh.mkdir()
    res = merge(cli, None, s1, out=fresh / "总表.xlsx")
    assert res["books"]["forged"] == []
    assert sorted(res["books"]["unverifiable"]) == sorted(str(p) for p in s1.glob("*.xls*"))
    assert not any("无法验证" in w for w in res["warnings"])
    assert any("无法核对" in w and "--master" in w for w in res["warnings"])
    assert res["expected_base"]["generation"] == 1
    # a real forgery in the same situation is still unverifiable — and said to be so — never trusted
    _code, res_en = cli.json(
        "merge", s1, "-o", tmp / "新文件夹2" / "master.xlsx", "--as-of", DAY, "--lang", "en"
    )
    assert any("cannot be checked" in w for w in res_en["warnings"])


def test_an_older_master_given_with_newer_books_is_said(cli, office):
    """Week 3: the manager gives week 1's master (the file at hand) with books split from week
    2's. Merging goes on, but the manager is told which master the books came from (generation
    and id), and --json names it as the expected base; the right master says nothing of it.
    A second master of the same generation (merged again from week 1) is another branch: said too."""
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    m2 = tmp / "总表_第2周.xlsx"
    res2 = merge(cli, m1, s1, out=m2)
    s2 = split(cli, m2, tmp / "分发2")
    wrong = merge(cli, m1, s2, out=tmp / "总表_第3周_错.xlsx")
    gen2 = res2["generation"]
    assert wrong["expected_base"] == {"generation": 2, "id": gen2["id"]}
    said = [w for w in wrong["warnings"] if "不是这本工作簿出自的那份" in w]
    assert len(said) == len(list(s2.glob("*.xls*")))
    assert all(f"第2代总表（{gen2['id']}）" in w and "--master" in w for w in said)
    right = merge(cli, m2, s2, out=tmp / "总表_第3周.xlsx")
    assert right["expected_base"] is None
    assert not any("不是这本工作簿出自的那份" in w for w in right["warnings"])
    branch = tmp / "总表_第2周_又一份.xlsx"
    merge(cli, m1, s1, out=branch)  # generation 2 again, another id
    other = merge(cli, branch, s2, out=tmp / "总表_第3周_分叉.xlsx")
    assert any("不是这本工作簿出自的那份" in w for w in other["warnings"])


def test_generations_are_recorded(cli, office):
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    m2 = m1.with_name("总表_第2周.xlsx")
    res = merge(cli, m1, s1, out=m2)
    assert res["generation"]["generation"] == 2 and res["base"]["generation"] == 1
    rows = sheet_rows(m2, "版本记录")
    kinds = [(r[0], r[2]) for r in rows]
    assert kinds[0] == (1, "总表") and (2, "总表") in kinds
    books = [r for r in rows if r[0] == 2 and r[2] == "工作簿"]
    assert {r[5] for r in books} == {"张伟", "王芳"} and {r[7] for r in books} == {"有效"}
    assert all(r[6] == 1 for r in books)  # split from generation 1
    assert dt.date.fromisoformat(rows[-1][1]) == DAY


def test_an_older_book_arriving_before_the_newer_one_is_held(cli, office):
    """Split remembers (in the manager's folder) what it sent: the week-1 book with a late edit,
    handed in while the week-2 book is still out, waits for a yes."""
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    m2 = m1.with_name("总表_第2周.xlsx")
    merge(cli, m1, s1, out=m2)
    split(cli, m2, tmp / "分发2")  # 张伟 now has a book based on generation 2
    late = edit(book_of(s1, "张伟"), CUSTOMERS, "K2", 备注="旧本子上的修改")
    m3 = m1.with_name("总表_第3周.xlsx")
    res = merge(cli, m2, late, out=m3)
    assert applied(res) == set() and res["books"]["stale"] == [str(late)]
    assert [(h["id"], "旧版总表" in h["reason"]) for h in res["held"]] == [("K2", True)]


def test_the_managers_yes_is_not_undone_by_the_books_sent_before_it(cli, office):
    """Sunday: split. During the week the manager answers 是 in 待批准 of that same master. Friday:
    the books split on Sunday (which still hold the old value) must not take the answer back."""
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    m2 = m1.with_name("总表_第2周.xlsx")
    merge(cli, m1, s1, out=m2)
    split(cli, m2, tmp / "分发2")
    late = edit(book_of(s1, "张伟"), CUSTOMERS, "K2", 备注="迟到的修改")
    m3 = m1.with_name("总表_第3周.xlsx")
    assert len(merge(cli, m2, late, out=m3)["held"]) == 1
    s3 = split(cli, m3, tmp / "分发3")  # Sunday
    wb = openpyxl.load_workbook(m3)
    wb["待批准"].cell(2, 9).value = "是"  # during the week
    answered = m1.with_name("总表_第3周_已批.xlsx")
    wb.save(answered)
    zw = edit(book_of(s3, "张伟"), CUSTOMERS, "K1", 备注="周五")
    m4 = m1.with_name("总表_第4周.xlsx")
    res = merge(cli, answered, zw, out=m4)
    assert applied(res) == {("K1", "备注")}
    assert [(c["id"], c["status"]) for c in res["changes"] if c["status"] == "approved"] == [
        ("K2", "approved")
    ]
    got = customers(m4)
    assert got["K2"].note == "迟到的修改" and got["K1"].note == "周五"


def test_a_book_split_did_not_send_cannot_revert_or_break_a_value(cli, office):
    """The first week's book (no stamp) comes back after the phone was corrected: the old 10-digit
    phone is a revert and waits; a new value failing its check waits; an ordinary edit is applied."""
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    zw = edit(book_of(s1, "张伟"), CUSTOMERS, "K1", 联系电话="13800000001")
    m2 = m1.with_name("总表_第2周.xlsx")
    assert applied(merge(cli, m1, zw, out=m2)) == {("K1", "联系电话")}
    old = tmp / "收件箱0" / "张伟_客户回访.xlsx"  # week 0's book: no stamp, phone 1380000001
    edit(old, CUSTOMERS, "K2", 联系电话="138000000")  # 9 digits over a good number
    edit(old, CUSTOMERS, "K3", 备注="手工本子上的备注")
    m3 = m1.with_name("总表_第3周.xlsx")
    res = merge(cli, m2, old, out=m3)
    assert res["books"]["unstamped"] == [str(old)]
    assert any("不是上周分发的工作簿" in w for w in res["warnings"])
    assert applied(res) == {("K3", "备注")}
    why = {h["id"]: h["reason"] for h in res["held"]}
    assert set(why) == {"K1", "K2"}
    assert "可能来自旧版本" in why["K1"] and "未通过" in why["K2"]
    got = customers(m3)
    assert got["K1"].phone == "13800000001" and got["K2"].phone == "13800000002"


def test_an_edited_record_of_what_was_sent_makes_the_book_unstamped(cli, office):
    """The very hidden sheet of the rows as sent is signed too: edit it (to make an old value look
    new) and the book is compared as one split did not send, with a warning naming it."""
    tmp, m1 = office
    s1 = split(cli, m1, tmp / "分发1")
    zw = book_of(s1, "张伟")
    wb = openpyxl.load_workbook(zw, keep_vba=True)
    wb["_followup_base"].cell(1, 3).value = "0" * 60
    wb.save(zw)
    edit(zw, CUSTOMERS, "K3", 备注="改过")
    m2 = m1.with_name("总表_第2周.xlsx")
    res = merge(cli, m1, zw, out=m2)
    assert any("原始内容被改动过" in w and zw.name in w for w in res["warnings"])
    assert applied(res) == {("K3", "备注")}  # an ordinary edit still counts, checked as unstamped
