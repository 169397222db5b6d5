"""Hand-over on real files: nothing lost, plan for approval, edited plan applied, 交接单."""

import datetime as dt
import hashlib
import json
from collections import Counter

import libreoffice as lo
import openpyxl
import pytest
from click.testing import CliRunner

from followup_xl import api
from followup_xl.cli import main
from followup_xl.errors import FollowupError
from followup_xl.io import master as master_io
from followup_xl.io.read.workbook import read_book

DAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def handed(master, tmp_path_factory):
    out = tmp_path_factory.mktemp("handover") / "新总表.xlsx"
    result = api.handover(
        str(master), str(out), leaver="杨磊", receivers=["张伟", "王芳"], as_of=DAY, by="赵刚"
    )
    return out, result


def without_owner(records):
    return Counter(tuple(v for k, v in r.values().items() if k != "owner") for r in records)


def notes(path) -> tuple[list, list]:
    """A master's 冲突 and 来源 rows."""
    state = master_io.read(path, write_cache=False)
    return state.conflicts, state.sources


def handovers(path) -> list[dict]:
    """A master's 交接记录 rows."""
    return master_io.read(path, write_cache=False).handovers


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nothing_lost_only_owners_change(master, handed):
    out, _result = handed
    old, new = read_book(master), read_book(out)
    assert without_owner(new.customers) == without_owner(old.customers)
    assert Counter(tuple(r.values().values()) for r in new.calls) == Counter(
        tuple(r.values().values()) for r in old.calls
    )
    assert without_owner(new.events) == without_owner(old.events)
    before, after = Counter(c.owner for c in old.customers), Counter(c.owner for c in new.customers)
    assert (
        after["杨磊"] == 0
        and after["张伟"] + after["王芳"] == before["张伟"] + before["王芳"] + before["杨磊"]
    )
    for o in ("李娜", "刘洋", "陈静"):
        assert {c.customer_id for c in new.customers if c.owner == o} == {
            c.customer_id for c in old.customers if c.owner == o
        }
    assert [c.src for c in new.customers] == [c.src for c in old.customers]  # provenance kept
    assert [k.src for k in new.calls] == [k.src for k in old.calls]
    assert notes(out) == notes(master)  # 冲突 and 来源 carried over
    gone = [s for s in new.staff if s.name == "杨磊"]
    assert [(s.status, s.left) for s in gone] == [("离职", DAY)]
    assert len(new.staff) == len(old.staff)


def test_handover_log_and_sms_notices(master, handed):
    out, result = handed
    log = handovers(out)
    new = read_book(out)
    owner = {c.customer_id: c.owner for c in new.customers}
    assert len(log) == result.moved and all(
        r["from"] == "杨磊" and r["by"] == "赵刚" and r["date"] == DAY for r in log
    )
    assert all(owner[r["customer_id"]] == r["to"] for r in log)
    wb = openpyxl.load_workbook(result.record, read_only=True)
    sms = [r for r in wb["短信通知"].iter_rows(min_row=2, values_only=True) if r[0]]
    phones = {s.name: s.phone for s in new.staff}
    assert len(sms) == result.sms > 50
    for cid, _name, _contact, _phone, new_owner, new_phone, text, _sent in sms:
        assert owner[cid] == new_owner and new_phone == phones[new_owner]
        assert f"今后由{new_owner}（电话{new_phone}）为您服务" in text
    assert "交接记录" in wb.sheetnames


def test_a_second_handover_keeps_the_first_in_the_log(handed, tmp_path):
    out, first = handed
    second = tmp_path / "再交接.xlsx"
    api.handover(
        str(out),
        str(second),
        leaver="张伟",
        receivers=["王芳", "李娜"],
        as_of=DAY + dt.timedelta(days=1),
        by="赵刚",
    )
    log = handovers(second)
    zhang = {c.customer_id for c in read_book(out).customers if c.owner == "张伟"}
    assert Counter(r["from"] for r in log) == Counter({"杨磊": first.moved, "张伟": len(zhang)})


def test_plan_only_changes_nothing_and_an_edited_plan_is_applied(master, tmp_path):
    before = digest(master)
    plan = tmp_path / "交接计划.xlsx"
    res = api.handover(
        str(master),
        str(plan),
        leaver="杨磊",
        receivers=["张伟", "王芳"],
        plan_only=True,
        as_of=DAY,
        by="赵刚",
    )
    assert digest(master) == before and res.plan == str(plan)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["交接计划.xlsx"]
    wb = openpyxl.load_workbook(plan)
    ws = wb["交接计划"]
    assert ws.protection.sheet and not ws["J2"].protection.locked and ws["A2"].protection.locked
    assert any("张伟" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]
    for r in range(2, len(ids) + 2):  # the manager gives everything to 王芳
        ws.cell(r, 10).value = "王芳"
    wb.save(plan)
    out = tmp_path / "新总表.xlsx"
    res = api.handover(
        str(master), str(out), leaver="杨磊", receivers=[], plan_path=str(plan), by="赵刚"
    )
    assert res.receivers == ["张伟", "王芳"] and res.date == DAY
    new = read_book(out)
    assert {c.owner for c in new.customers if c.customer_id in ids} == {"王芳"}
    assert digest(master) == before


def test_an_english_plan_round_trips(master, tmp_path):
    plan = tmp_path / "plan.xlsx"
    api.handover(
        str(master),
        str(plan),
        leaver="杨磊",
        receivers=["张伟", "王芳"],
        plan_only=True,
        as_of=DAY,
        lang="en",
    )
    wb = openpyxl.load_workbook(plan)
    assert wb.sheetnames == ["Handover plan", "Summary", "About"]
    wb["Handover plan"]["J2"] = "王芳"
    first = wb["Handover plan"]["A2"].value
    wb.save(plan)
    out = tmp_path / "new.xlsx"
    res = api.handover(
        str(master), str(out), leaver="杨磊", receivers=[], plan_path=str(plan), lang="en"
    )
    assert res.record.endswith("new_handover.xlsx")
    new = read_book(out)
    assert {c.owner for c in new.customers if c.customer_id == first} == {"王芳"}
    assert new.sheet_info("customers").name == "客户名录簿"  # the master keeps its own language


@pytest.mark.parametrize(
    "edit,cell,says",
    [
        (lambda ws: setattr(ws["J3"], "value", "刘洋"), "J3", "「刘洋」不是本次的接收人"),
        (lambda ws: setattr(ws["A4"], "value", ws["A2"].value), "A4", "出现了两次"),
        (lambda ws: ws.delete_rows(2), None, "计划里缺少 杨磊 的客户"),
        (lambda ws: setattr(ws["J2"], "value", None), "J2", "没有填写新负责人"),
    ],
)
def test_a_badly_edited_plan_is_refused_naming_the_cell(master, tmp_path, edit, cell, says):
    plan = tmp_path / "plan.xlsx"
    api.handover(
        str(master), str(plan), leaver="杨磊", receivers=["张伟", "王芳"], plan_only=True, as_of=DAY
    )
    wb = openpyxl.load_workbook(plan)
    edit(wb["交接计划"])
    wb.save(plan)
    with pytest.raises(FollowupError) as err:
        api.handover(
            str(master),
            str(tmp_path / "out.xlsx"),
            leaver="杨磊",
            receivers=[],
            plan_path=str(plan),
        )
    assert (
        err.value.cell == cell and err.value.sheet == "交接计划" and says in err.value.message("zh")
    )
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.libreoffice
def test_plan_summary_formulas_follow_the_edits_in_a_spreadsheet(master, tmp_path):
    plan = tmp_path / "plan.xlsx"
    res = api.handover(
        str(master), str(plan), leaver="杨磊", receivers=["张伟", "王芳"], plan_only=True, as_of=DAY
    )
    wb = openpyxl.load_workbook(plan)
    ws = wb["交接计划"]
    switched = sum(1 for r in range(2, ws.max_row + 1) if ws.cell(r, 10).value == "张伟")
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 10).value == "张伟":
            ws.cell(r, 10).value = "王芳"
    wb.save(plan)
    values = openpyxl.load_workbook(lo.recalc(plan, tmp_path / "lo"), data_only=True)["汇总"]
    rows = {
        values.cell(r, 1).value: [values.cell(r, c).value for c in range(2, 10)] for r in (2, 3)
    }
    zhang = next(s for s in res.summary if s["receiver"] == "张伟")
    wang = next(s for s in res.summary if s["receiver"] == "王芳")
    assert rows["张伟"][6] == 0 and rows["张伟"][7] == zhang["before"]
    assert rows["王芳"][6] == wang["received"] + switched == res.moved


def test_cli_handover(master, tmp_path):
    out = tmp_path / "n.xlsx"
    r = CliRunner().invoke(
        main,
        [
            "handover",
            str(master),
            "--from",
            "杨磊",
            "--to",
            "张伟",
            "--to",
            "王芳",
            "-o",
            str(out),
            "--as-of",
            "2026-11-22",
            "--by",
            "赵刚",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert (
        data["output"] == str(out) and data["record"].endswith("n_交接单.xlsx") and data["sms"] > 0
    )
    r = CliRunner().invoke(
        main,
        ["handover", str(master), "--from", "杨磊", "--to", "赵六", "-o", str(tmp_path / "x.xlsx")],
    )
    assert r.exit_code == 3 and "接收人不在人员表中：赵六" in r.output
    r = CliRunner().invoke(
        main, ["handover", str(master), "--from", "杨磊", "--to", "张伟", "-o", str(master)]
    )
    assert r.exit_code == 3 and "输出文件不能与输入文件相同" in r.output


@pytest.mark.slow
def test_the_demo_hands_over_and_splits(tmp_path):
    from followup_xl.demo.run import run_demo

    run_demo(str(tmp_path))
    handed = tmp_path / "8_交接"
    assert sorted(p.name for p in handed.iterdir() if not p.name.startswith(".")) == [
        "交接计划_杨磊.xlsx",
        "客户回访总表_交接后.xlsx",
        "客户回访总表_交接后_交接单.xlsx",
    ]
    master = read_book(handed / "客户回访总表_交接后.xlsx")
    assert not [c for c in master.customers if c.owner == "杨磊"]
    books = sorted(p.name for p in (tmp_path / "9_分发").iterdir())
    assert "杨磊_客户回访.xlsm" not in books and "张伟_客户回访.xlsm" in books
    assert sum(
        len(read_book(tmp_path / "9_分发" / b, require_data=False).customers) for b in books
    ) == len(master.customers)


@pytest.mark.slow
def test_the_demo_shows_a_second_week(tmp_path):
    """张伟 edits the book he was sent; the merge prints the changes and the master keeps them in 修改记录."""
    import openpyxl

    from followup_xl.demo.run import run_demo

    run = run_demo(str(tmp_path))
    assert run.master.endswith("客户回访总表_第二周.xlsx")
    printed = [line for line in run.log if line.startswith("  ")]
    assert len(printed) == 6 and any("微信号" in line for line in printed), run.log
    wb = openpyxl.load_workbook(run.master or "", read_only=True)
    log = list(wb["修改记录"].iter_rows(min_row=2, values_only=True))
    edits = [r for r in log if r[8] == "已采用"]
    assert len(edits) == 3 and {r[7] for r in edits} == {"张伟"}
    # issue 28: the colleague's call is added, the holiday waits for the manager's yes
    assert sorted(str(r[8]) for r in log if r[8] != "已采用") == ["待批准", "待批准", "新增"]
