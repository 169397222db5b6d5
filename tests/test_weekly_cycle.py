"""The weekly cycle through the CLI: staff edits win, are logged, held when protected, and trusted only
from the owner's own book (issues 12 and 13)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import openpyxl.packaging.custom
import pytest
from click.testing import CliRunner

from followup_xl.cli import main
from followup_xl.io.filekind import read_kind
from followup_xl.io.read.workbook import read_book
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.models import Book, Call, Customer, RuleRow, Staff

DAY = dt.date(2026, 3, 16)


def cust(cid, owner, phone, klass="B", **kw):
    return Customer.build(
        None,
        {},
        kw.pop("extra", {}),
        dict(customer_id=cid, name=f"客户{cid}", phone=phone, klass=klass, owner=owner, **kw),
    )


def call(rid, cid, caller, day, result="成功", **kw):
    return Call.build(
        None,
        {},
        {},
        dict(
            record_id=rid,
            customer_id=cid,
            call_date=day,
            method="电话",
            call_type="例行",
            caller=caller,
            content=f"回访{rid}",
            result=result,
            **kw,
        ),
    )


STAFF = [
    Staff.build(None, {}, {}, dict(name=n, role=r))
    for n, r in (("张伟", "员工"), ("王芳", "员工"), ("赵刚", "公司经理"))
]
RULES = [RuleRow.build(None, {}, {}, dict(key="员工版隐藏A类客户资料", value="是"))]


def office_books() -> dict[str, Book]:
    zw = Book(
        "张伟",
        customers=[
            cust("K1", "张伟", "13800000001"),
            cust("K2", "张伟", "13800000002", "A"),
            cust("K3", "张伟", "13800000003"),
        ],
        calls=[
            call("R1", "K1", "张伟", DAY - dt.timedelta(days=3), "未接通"),
            call("R2", "K2", "张伟", DAY - dt.timedelta(days=2), reviewer="赵刚"),
            call("R3", "K3", "张伟", DAY - dt.timedelta(days=60)),
            call("R4", "K3", "张伟", DAY - dt.timedelta(days=1)),
        ],
        staff=STAFF,
        rules=RULES,
    )
    wf = Book(
        "王芳",
        customers=[cust("K7", "王芳", "13900000007"), cust("K8", "王芳", "13900000008")],
        calls=[call("R7", "K7", "王芳", DAY - dt.timedelta(days=4))],
        staff=STAFF,
        rules=RULES,
    )
    return {"张伟": zw, "王芳": wf}


def write_books(folder: Path, books: dict[str, Book]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for who, b in books.items():
        write_staff_workbook(folder / f"{who}_客户回访.xlsx", book=b, owner=who)


@pytest.fixture
def week1(cli, tmp_path):
    """Week 1: the staff books merged into the first master."""
    inbox = tmp_path / "收件箱"
    write_books(inbox, office_books())
    master = tmp_path / "第1周总表.xlsx"
    code, res = cli.json("merge", inbox, "-o", master, "--as-of", DAY)
    assert code == 0 and res["changes"] == [], res
    assert read_kind(master) == "master"
    return tmp_path, master


def edited(master: Path, who: str, edit) -> Book:
    """``who``'s part of the master as their book comes back after ``edit(book)``."""
    book = read_book(master, provenance=False)
    mine = {c.customer_id for c in book.customers if c.owner == who}
    b = Book(
        who,
        customers=[c for c in book.customers if c.owner == who],
        calls=[k for k in book.calls if k.customer_id in mine],
        staff=list(book.staff),
        rules=list(book.rules),
    )
    edit(b)
    return b


def replace(records, i, **changes):
    r = records[i]
    records[i] = type(r).build(
        r.src,
        dict(r.bad),
        {**r.extra, **changes.pop("extra", {})},
        {**{k: getattr(r, k) for k in r.SHEET.keys}, **changes},
    )


def test_owner_edits_win_field_by_field_and_are_logged_once(cli, week1):
    tmp, master = week1

    def zw(b):
        replace(
            b.customers, 0, phone="13811112222", extra={"微信号": "zw_k1"}
        )  # new phone + office column
        replace(b.customers, 2, klass="A")  # upgraded B → A
        replace(
            b.calls, [k.record_id for k in b.calls].index("R1"), result="成功"
        )  # corrected call
        b.calls = [k for k in b.calls if k.record_id != "R4"]  # a row deleted in the book

    inbox = tmp / "收件箱2"
    write_books(inbox, {"张伟": edited(master, "张伟", zw)})
    out = tmp / "第2周总表.xlsx"
    code, res = cli.json("merge", master, inbox, "-o", out, "--as-of", DAY)
    assert code == 0, res
    got = {(c["id"], c["field"], c["status"]) for c in res["changes"]}
    assert got == {
        ("K1", "联系电话", "applied"),
        ("K1", "微信号", "applied"),
        ("K3", "客户类别", "applied"),
        ("R1", "结果", "applied"),
        ("R4", "", "pending"),  # a deleted row waits for the manager's yes (issue 25)
    }
    new = read_book(out)
    by = {c.customer_id: c for c in new.customers}
    assert (
        by["K1"].phone == "13811112222"
        and by["K1"].extra == {"微信号": "zw_k1"}
        and by["K3"].klass == "A"
    )
    calls = {k.record_id: k for k in new.calls}
    assert calls["R1"].result == "成功" and "R4" in calls  # the deleted row is retained
    wb = openpyxl.load_workbook(out, read_only=True)
    log = [r for r in wb["修改记录"].iter_rows(min_row=2, values_only=True)]
    assert len(log) == 5 and {r[8] for r in log} == {"已采用", "待批准"}
    assert {r[0] for r in log} == {dt.datetime(DAY.year, DAY.month, DAY.day)}  # a date cell
    # the same inputs again: nothing applied twice, the log keeps its five rows
    again = tmp / "第2周总表_重跑.xlsx"
    code, res2 = cli.json("merge", out, inbox, "-o", again, "--as-of", DAY)
    assert code == 0 and res2["changes"] == [], res2["changes"]
    wb = openpyxl.load_workbook(again, read_only=True)
    assert len(list(wb["修改记录"].iter_rows(min_row=2))) == 5


def test_a_book_changes_only_its_owners_data(cli, week1):
    tmp, master = week1

    def wf(
        b,
    ):  # 王芳's book claims 张伟's customer K1, with a forged provenance and a policy of its own
        k1 = cust("K1", "张伟", "13800009999", extra={"来源文件": "张伟_客户回访.xlsx"})
        b.customers.append(k1)
        b.rules = [RuleRow.build(None, {}, {}, dict(key="员工版隐藏A类客户资料", value="否"))]
        b.staff = [Staff.build(None, {}, {}, dict(name="王芳", role="公司经理"))]

    inbox = tmp / "收件箱2"
    write_books(inbox, {"王芳": edited(master, "王芳", wf)})
    out = tmp / "第2周总表.xlsx"
    code, res = cli.json("merge", master, inbox, "-o", out, "--as-of", DAY)
    assert code == 0
    # nothing changed; its own 规则 is a proposal for the manager's yes (issue 28), not applied
    assert [(c["kind"], c["status"]) for c in res["changes"]] == [("rule", "pending")]
    clash = [c for c in res["conflicts"] if c["kind"] == "not_owner"]
    assert len(clash) == 1 and clash[0]["customer_id"] == "K1"
    assert (
        "王芳_客户回访.xlsx" in clash[0]["sources"][1]
    )  # attributed to the book, not its forged 来源文件
    assert any("规则" in w and "王芳_客户回访.xlsx" in w for w in res["warnings"])
    assert any("人员" in w for w in res["warnings"])
    new = read_book(out)
    assert {c.customer_id: c.phone for c in new.customers}["K1"] == "13800000001"
    assert {r.key: r.value for r in new.rules}["员工版隐藏A类客户资料"] == "是"
    assert {s.name: s.role for s in new.staff}["王芳"] == "员工"


def _edit_reviewed_and_locked(b: Book) -> None:
    """张伟 rewrites a reviewed call (R2) and one older than the lock period (R3)."""
    ids = [k.record_id for k in b.calls]
    replace(b.calls, ids.index("R2"), content="改写了已审核的记录")  # reviewed
    replace(b.calls, ids.index("R3"), result="拒访")  # older than 30 days


def test_reviewed_and_locked_calls_wait_for_approval(cli, week1):
    tmp, master = week1

    inbox = tmp / "收件箱2"
    write_books(inbox, {"张伟": edited(master, "张伟", _edit_reviewed_and_locked)})
    out = tmp / "第2周总表.xlsx"
    code, res = cli.json("merge", master, inbox, "-o", out, "--as-of", DAY)
    assert code == 0 and res["pending"] == 2
    assert {(c["id"], c["status"]) for c in res["changes"]} == {
        ("R2", "pending"),
        ("R3", "pending"),
    }
    calls = {k.record_id: k for k in read_book(out).calls}
    assert (
        calls["R2"].content == "回访R2" and calls["R3"].result == "成功"
    )  # the master keeps the reviewed values
    # the manager answers in the master's 待批准 sheet: R2 yes, R3 no
    wb = openpyxl.load_workbook(out)
    ws = wb["待批准"]
    for row in ws.iter_rows(min_row=2):
        row[8].value = "是" if row[2].value == "R2" else "否"
    approved = tmp / "第2周总表_已批.xlsx"
    wb.save(approved)
    final = tmp / "第3周总表.xlsx"
    code, res = cli.json("merge", "--master", approved, inbox, "-o", final, "--as-of", DAY)
    assert code == 0, res
    assert {(c["id"], c["status"]) for c in res["changes"]} == {
        ("R2", "approved"),
        ("R3", "refused"),
    }
    calls = {k.record_id: k for k in read_book(final).calls}
    assert calls["R2"].content == "改写了已审核的记录" and calls["R3"].result == "成功"
    assert res["pending"] == 0  # the refused edit is not proposed again
    # a wrong answer is refused with its cell
    ws.cell(2, 9).value = "可以"
    wb.save(approved)
    code, out_text = cli.json(
        "merge", "--master", approved, inbox, "-o", tmp / "x.xlsx", "--as-of", DAY
    )
    assert code == 3 and "待批准" in str(out_text) and "I2" in str(out_text)


def _no_chinese_but_names(text: str) -> bool:
    """``text`` without the office's own words (file names, the books' Chinese sheet names)."""
    text = re.sub(r"\S+\.xlsx", "", text)
    for sheet in ("客户名录簿", "回访记录表", "回访事项"):
        text = text.replace(sheet, "")
    return not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text)


@pytest.mark.parametrize("written_by", ["this version", "an older version"])
def test_an_english_master_holds_edits_and_takes_the_answers_back(cli, week1, written_by):
    """An en master names a change's field and row in English (Content, … › row N) in merge
    --json and in its Pending/Changes sheets; the manager's answers there are matched to the
    edits on the next merge, also when an older version wrote those sheets with the Chinese
    header in the Field column."""
    tmp, master = week1

    inbox = tmp / "收件箱2"
    write_books(inbox, {"张伟": edited(master, "张伟", _edit_reviewed_and_locked)})
    out = tmp / "week2.xlsx"
    code, res = cli.json("merge", master, inbox, "-o", out, "--as-of", DAY, "--lang", "en")
    assert code == 0 and res["pending"] == 2
    assert {(c["id"], c["field"], c["status"]) for c in res["changes"]} == {
        ("R2", "Content", "pending"),
        ("R3", "Result", "pending"),
    }
    for c in res["changes"]:
        assert re.fullmatch(r"张伟_客户回访\.xlsx › 回访记录表 › row \d+", c["source"]), c
        assert _no_chinese_but_names(c["field"] + c["source"]), c
    wb = openpyxl.load_workbook(out)
    ws, log = wb["Pending"], wb["Changes"]
    assert {(r[2].value, r[3].value) for r in ws.iter_rows(min_row=2)} == {
        ("R2", "Content"),
        ("R3", "Result"),
    }
    assert all(" › row " in r[6].value for r in ws.iter_rows(min_row=2))
    assert {r[3].value for r in log.iter_rows(min_row=2)} == {"Content", "Result"}
    if written_by == "an older version":  # it wrote the Chinese header in the Field column
        for sheet in (ws, log):
            for row in sheet.iter_rows(min_row=2):
                row[3].value = {"Content": "回访内容", "Result": "结果"}[row[3].value]
    for row in ws.iter_rows(min_row=2):
        row[8].value = "yes" if row[2].value == "R2" else "no"
    approved = tmp / "week2_answered.xlsx"
    wb.save(approved)
    final = tmp / "week3.xlsx"
    code, res = cli.json(
        "merge", "--master", approved, inbox, "-o", final, "--as-of", DAY, "--lang", "en"
    )
    assert code == 0, res
    assert {(c["id"], c["field"], c["status"]) for c in res["changes"]} == {
        ("R2", "Content", "approved"),
        ("R3", "Result", "refused"),
    }
    assert res["pending"] == 0 and not [w for w in res["warnings"] if "R2" in w]
    calls = {k.record_id: k for k in read_book(final).calls}
    assert calls["R2"].content == "改写了已审核的记录" and calls["R3"].result == "成功"
    # a week later the same book again: the refusal is remembered from the Changes sheet
    code, res = cli.json(
        "merge", "--master", final, inbox, "-o", tmp / "week4.xlsx", "--as-of", DAY, "--lang", "en"
    )
    assert code == 0 and res["changes"] == [] and res["pending"] == 0, res["changes"]


def test_masked_values_never_replace_real_ones(cli, week1):
    tmp, master = week1

    def zw(b):
        replace(b.customers, 1, phone=None, contact="张**")
        b.customers[1].bad["phone"] = "138****0002"

    inbox = tmp / "收件箱2"
    write_books(inbox, {"张伟": edited(master, "张伟", zw)})
    code, res = cli.json("merge", master, inbox, "-o", tmp / "m2.xlsx", "--as-of", DAY)
    assert code == 0 and res["changes"] == [], res["changes"]
    assert {c.customer_id: c.phone for c in read_book(tmp / "m2.xlsx").customers}[
        "K2"
    ] == "13800000002"
    _code, found = cli.json(
        "validate", inbox / "张伟_客户回访.xlsx", "--as-of", DAY
    )  # nor a wrong phone
    assert not [f for f in found["findings"] if f["code"] == "V2"], found["findings"]


def test_verify_finds_a_hand_edit_with_its_row(cli, week1):
    tmp, master = week1
    code, res = cli.json("verify", master)
    assert code == 0 and res["checked"] == 10 and res["mismatches"] == []
    wb = openpyxl.load_workbook(master)
    ws = wb["回访记录表"]
    ws.cell(3, 11).value = "悄悄改过"
    edited_master = tmp / "改过的总表.xlsx"
    wb.save(edited_master)
    code, res = cli.json("verify", edited_master)
    assert code == 1 and [(m["sheet"], m["row"]) for m in res["mismatches"]] == [("回访记录表", 3)]
    code, res = cli.json("merge", "--master", edited_master, "-o", tmp / "m3.xlsx", "--as-of", DAY)
    assert code == 0 and [m["row"] for m in res["tampered"]] == [3]


def test_a_hand_edit_is_found_through_the_cache_and_only_its_code_is_computed(
    cli, week1, monkeypatch
):
    """A cache hit keeps what comparing the 校验码 found: the edit is reported as without the cache,
    the edited row gets a code for its new content, every other row keeps the code it was
    checked against (nothing is computed for them: the weekly re-merge's saving)."""
    from followup_xl import api, fingerprint
    from followup_xl.io.master import cache as mc

    tmp, master = week1
    wb = openpyxl.load_workbook(master)
    wb["回访记录表"].cell(3, 11).value = "悄悄改过"
    edited_master = tmp / "改过的总表.xlsx"
    wb.save(edited_master)
    monkeypatch.setattr(mc, "CACHE_OVER", 0)  # the example is small: cache it anyway
    assert mc.read_cached(edited_master)[1] == {"status": "absent", "written": True}
    computed: list[str] = []
    real = fingerprint.code

    def counting(rec):
        computed.append(rec.SHEET.key)
        return real(rec)

    monkeypatch.setattr(fingerprint, "code", counting)
    out = tmp / "m4.xlsx"
    res = api.merge([], str(out), masters=[str(edited_master)], as_of=DAY)
    assert res.exit_code == 0
    assert [i.get("cache") for i in res.inputs] == ["hit"]
    code_column = next(c.column_letter for c in wb["回访记录表"][1] if c.value == "校验码")
    assert [(m.sheet, m.row, m.cell) for m in res.tampered] == [
        ("回访记录表", 3, f"{code_column}3")
    ]
    assert computed == ["calls"]  # the edited row only
    monkeypatch.setattr(fingerprint, "code", real)
    code, verified = cli.json("verify", out)
    assert code == 0 and verified["checked"] == 10 and verified["mismatches"] == []
    before = {r[0]: r[-1] for r in openpyxl.load_workbook(edited_master)["回访记录表"].values}
    after = {r[0]: r[-1] for r in openpyxl.load_workbook(out)["回访记录表"].values}
    row3 = list(before)[2]  # the edited row's 记录编号 (header, row 2, row 3)
    assert [k for k in before if before[k] != after.get(k)] == [row3]


def test_an_old_master_is_trusted_only_when_named(cli, week1, tmp_path):
    tmp, master = week1
    # an old master: same content, no marker
    wb = openpyxl.load_workbook(master)
    wb.custom_doc_props = openpyxl.packaging.custom.CustomPropertyList()  # type: ignore[attr-defined]
    old = tmp / "旧总表.xlsx"
    wb.save(old)
    assert read_kind(old) is None
    code, res = cli.json("merge", old, "-o", tmp / "a.xlsx", "--as-of", DAY)
    assert code == 0 and any("--master" in w for w in res["warnings"])
    code, res = cli.json("merge", "--master", old, "-o", tmp / "b.xlsx", "--as-of", DAY)
    assert code == 0 and not any("--master" in w for w in res["warnings"])
    assert next(i for i in res["inputs"] if i["path"].endswith("旧总表.xlsx"))["master"] is True


def _cell_edit(path: Path, sheet: str, match: str, header: str, value) -> None:
    """Edit one cell as staff do in Excel: the row whose first cell is ``match``, the column named ``header``
    (a new column at the right if the sheet has none)."""
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    ws = wb[sheet]
    heads = [c.value for c in ws[1]]
    col = heads.index(header) + 1 if header in heads else len(heads) + 1
    ws.cell(1, col).value = header
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == match)
    ws.cell(row, col).value = value
    wb.save(path)


def test_split_edit_merge_split_gives_staff_their_edits_and_columns_back(cli, week1):
    tmp, master = week1
    out1 = tmp / "分发1"
    code, res = cli.json("split", master, "-o", out1, "--as-of", DAY)
    assert code == 0 and {Path(b["path"]).suffix for b in res["books"]} == {".xlsm"}
    book = out1 / "张伟_客户回访.xlsm"
    _cell_edit(book, "客户名录簿", "K1", "联系电话", "13855556666")
    _cell_edit(book, "客户名录簿", "K1", "微信号", "zw_k1")
    _cell_edit(book, "回访记录表", "R1", "录音文件", "R1.mp3")
    master2 = tmp / "第2周总表.xlsx"
    code, res = cli.json("merge", master, out1, "-o", master2, "--as-of", DAY)
    assert code == 0
    assert {(c["id"], c["field"]) for c in res["changes"]} == {
        ("K1", "联系电话"),
        ("K1", "微信号"),
        ("R1", "录音文件"),
    }
    # splitting into the same folder again refuses to overwrite the books there
    code, text_out = cli.json("split", master2, "-o", out1, "--as-of", DAY)
    assert code == 3 and "张伟_客户回访.xlsm" in str(text_out)
    out2 = tmp / "分发2"
    code, res = cli.json("split", master2, "-o", out2, "--as-of", DAY, "--xlsx")
    assert code == 0
    back = read_book(out2 / "张伟_客户回访.xlsx")
    k1 = next(c for c in back.customers if c.customer_id == "K1")
    assert k1.phone == "13855556666" and k1.extra == {"微信号": "zw_k1"}
    assert next(k for k in back.calls if k.record_id == "R1").extra == {"录音文件": "R1.mp3"}
    headers = [
        c.value
        for c in openpyxl.load_workbook(out2 / "张伟_客户回访.xlsx", read_only=True)["客户名录簿"][
            1
        ]
    ]
    assert headers[-1] == "微信号" and headers.index("微信号") > headers.index(
        "核实日期"
    )  # after ours


def test_a_row_deleted_in_the_first_split_book_is_logged(cli, week1):
    """Week 1's books were .xlsx, split sends .xlsm: a row 张伟 deletes from the .xlsm book the
    very first week is kept in the master and listed as deleted (the master's rows still name
    the .xlsx book); with the old .xlsx also in the inbox each book answers for its own rows."""
    tmp, master = week1
    out1 = tmp / "分发1"
    code, _res = cli.json("split", master, "-o", out1, "--as-of", DAY)
    assert code == 0
    book = out1 / "张伟_客户回访.xlsm"
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb["回访记录表"]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "R4")
    ws.delete_rows(row)
    wb.save(book)
    code, res = cli.json("merge", master, book, "-o", tmp / "第2周总表.xlsx", "--as-of", DAY)
    assert code == 0 and res["calls"] == 5
    assert [(c["id"], c["status"]) for c in res["changes"]] == [("R4", "pending")]
    both_books = tmp / "收件箱2"
    both_books.mkdir()
    (both_books / book.name).write_bytes(book.read_bytes())
    (both_books / "张伟_客户回访.xlsx").write_bytes(
        (tmp / "收件箱" / "张伟_客户回访.xlsx").read_bytes()
    )
    code, res = cli.json("merge", master, both_books, "-o", tmp / "另一份.xlsx", "--as-of", DAY)
    # the .xlsm was sent R4 and no longer has it: proposed once, whatever the old .xlsx holds
    assert code == 0 and [(c["id"], c["status"]) for c in res["changes"]] == [("R4", "pending")]


def test_after_a_handover_the_leavers_old_book_does_not_take_customers_back(cli, week1):
    tmp, master = week1
    handed = tmp / "交接后总表.xlsx"
    code, res = cli.json(
        "handover",
        master,
        "--from",
        "王芳",
        "--to",
        "张伟",
        "-o",
        handed,
        "--as-of",
        DAY,
        "--by",
        "赵刚",
    )
    assert code == 0, res

    def wf(b):  # 王芳's book from before the hand-over, with one new call
        b.calls.append(call("R9", "K7", "王芳", DAY))

    inbox = tmp / "收件箱2"
    write_books(inbox, {"王芳": edited(master, "王芳", wf)})
    out = tmp / "第2周总表.xlsx"
    code, res = cli.json("merge", handed, inbox, "-o", out, "--as-of", DAY)
    assert code == 0
    new = read_book(out)
    assert {c.customer_id: c.owner for c in new.customers}["K7"] == "张伟"
    assert "R9" in {k.record_id for k in new.calls}
    assert any("交接" in w and "王芳_客户回访.xlsx" in w for w in res["warnings"])
    assert [c for c in res["changes"] if c["status"] != "added"] == []
    wb = openpyxl.load_workbook(out, read_only=True)
    assert len(list(wb["交接记录"].iter_rows(min_row=2))) == 2  # the master's decisions survive


def test_merge_prints_what_changed(week1):
    tmp, master = week1

    def zw(b):
        replace(b.customers, 0, phone="13811112222")

    inbox = tmp / "收件箱2"
    write_books(inbox, {"张伟": edited(master, "张伟", zw)})
    r = CliRunner().invoke(
        main, ["merge", str(master), str(inbox), "-o", str(tmp / "m.xlsx"), "--as-of", str(DAY)]
    )
    assert (
        r.exit_code == 0
        and "[已采用] 客户 K1 联系电话: 13800000001 → 13811112222"
        "  (张伟_客户回访.xlsx › 客户名录簿 › 第2行)"
        in r.output
    ), r.output
    r = CliRunner().invoke(
        main,
        [
            "merge",
            str(master),
            str(inbox),
            "-o",
            str(tmp / "e.xlsx"),
            "--as-of",
            str(DAY),
            "--lang",
            "en",
        ],
    )
    # the field and the row in English; the book's own file and sheet names as they are
    assert (
        "[applied] Customer K1 Phone: 13800000001 → 13811112222"
        "  (张伟_客户回访.xlsx › 客户名录簿 › row 2)" in r.output
    ), r.output


@pytest.mark.parametrize("days_after_call", [20, 40])
def test_merge_as_of_is_the_day_the_lock_counts_from_and_the_log_is_dated(
    cli, week1, days_after_call
):
    """``merge --as-of`` is the merge's today: an edit to a call 20 days old is applied, 40 days
    old waits for approval (lock period 30), and 修改记录 is dated that day, not the real today."""
    tmp, master = week1
    r3_day = DAY - dt.timedelta(days=60)
    as_of = r3_day + dt.timedelta(days=days_after_call)

    def zw(b):
        replace(b.calls, [k.record_id for k in b.calls].index("R3"), result="拒访")

    inbox = tmp / "收件箱2"
    write_books(inbox, {"张伟": edited(master, "张伟", zw)})
    out = tmp / "第2周总表.xlsx"
    code, res = cli.json("merge", master, inbox, "-o", out, "--as-of", as_of)
    assert code == 0, res
    locked = days_after_call > 30
    assert [(c["id"], c["status"]) for c in res["changes"]] == [
        ("R3", "pending" if locked else "applied")
    ]
    assert res["pending"] == int(locked)
    calls = {k.record_id: k for k in read_book(out).calls}
    assert calls["R3"].result == ("成功" if locked else "拒访")
    wb = openpyxl.load_workbook(out, read_only=True)
    sheet = wb["待批准" if locked else "修改记录"]
    dates = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]
    assert dates and {str(d)[:10] for d in dates} == {as_of.isoformat()}


@pytest.mark.slow
def test_a_book_with_one_id_twice_does_not_flip_the_master_every_week(tmp_path, office_dir, cli):
    """杨磊's book holds K1301 twice with different names (a V3a mistake). Week after week with the
    same books the master must stay put: the first row speaks for the book, the second is a
    conflict, and nothing is applied again."""
    first = tmp_path / "w1.xlsx"
    cli.json("merge", office_dir, "-o", first, "--as-of", "2026-11-15", ok=(0,))
    masters = [first]
    resaved = tmp_path / "re-saved"  # the same books opened and saved again: other bytes
    resaved.mkdir()
    for f in office_dir.glob("*.xlsx"):
        openpyxl.load_workbook(f).save(resaved / f.name)
    for n, day, books in ((2, "2026-11-22", office_dir), (3, "2026-11-29", resaved)):
        out = tmp_path / f"w{n}.xlsx"
        _, result = cli.json("merge", masters[-1], books, "-o", out, "--as-of", day, ok=(0,))
        applied = [c for c in result["changes"] if c["status"] == "applied"]
        assert applied == [], applied
        inputs = [i for i in result["inputs"] if not i["master"]]
        if books == office_dir:  # the very same files: known from 版本记录, changing nothing
            assert inputs and all(i["status"] == "ignored" for i in inputs)
            assert len(result["books"]["replayed"]) == len(inputs)
        else:
            twice = [c for c in result["conflicts"] if c["customer_id"] == "K1301"]
            assert twice and all("第6行" in " ".join(c["sources"]) for c in twice)
        masters.append(out)
    names = [
        next(
            r[1]
            for r in openpyxl.load_workbook(m)["客户名录簿"].iter_rows(values_only=True)
            if r[0] == "K1301"
        )
        for m in masters
    ]
    assert names == ["恒达物业管理处"] * 3
