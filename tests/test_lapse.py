"""Obligations that end (issue 15): windows after which an item is missed, escalation of complaints
and open issues, closed and withdrawn events, do-not-call customers."""

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import D, book, call, customer, event, staff
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl.calendar import WorkCalendar
from followup_xl.checks import run_checks
from followup_xl.cli import main
from followup_xl.errors import UsageError
from followup_xl.messages import message
from followup_xl.obligations import Obligation
from followup_xl.policy import compute_obligations
from followup_xl.report import month_bounds, month_items
from followup_xl.schedule import plan_week
from followup_xl.settings import LAPSE_DEFAULTS, Policy, policy_from_rows

WHY = message("reason.new_customer")  # an obligation's reason, never shown by these tests

CAL = WorkCalendar()


# the seed duties (festivals, birthdays, 24-hour deal calls…) take their windows from the 回访规则
# table, not from 回访有效期工作日: tests/test_duties.py tests them
SEED_DUTIES = ("P16", "P16S", "P16B", "P17", "P18", "P21", "P22", "P23")


def event_items(b, as_of, **policy):
    r = compute_obligations(b, Policy(**policy), D(as_of))
    return [o for o in r.obligations if o.rule not in ("P1", "P8", "P12", "P15", *SEED_DUTIES)]


def test_consultation_is_overdue_inside_its_window_and_missed_after():
    # consultation Wed 06-10 → due Mon 06-15; 10 working days on (06-19 is the Dragon Boat holiday):
    # 16 17 18 22 23 24 25 26 29 30 → the window ends 06-30
    b = book([customer(created="2026-01-05")], [], [event(etype="咨询", date="2026-06-10")])
    (inside,) = event_items(b, "2026-06-30")
    assert inside.due_date == D("2026-06-15") and inside.lapse_date == D("2026-06-30")
    assert inside.status(D("2026-06-30")) == "overdue" and not inside.missed(D("2026-06-30"))
    (after,) = event_items(b, "2026-07-01")
    assert after.status(D("2026-07-01")) == "missed"
    r = compute_obligations(b, Policy(), D("2026-07-01"))
    assert after in r.missed() and after not in r.open()


def test_window_is_a_policy_setting_and_complaints_cannot_lapse():
    p = policy_from_rows([("回访有效期工作日", "P6=3", "规则!B9"), ("上报天数", "2", "规则!B10")])
    assert p.lapse_workdays == {**LAPSE_DEFAULTS, "P6": 3} and p.escalate_workdays == 2
    b = book([customer()], [], [event(etype="咨询", date="2026-06-10")])
    (o,) = event_items(b, "2026-06-30", lapse_workdays={"P6": 3})
    assert o.lapse_date == D("2026-06-18") and o.status(D("2026-06-30")) == "missed"
    with pytest.raises(UsageError) as exc:
        policy_from_rows([("回访有效期工作日", "P2=10", "规则!B9")])
    assert "P2" in exc.value.zh and "never lapse" in exc.value.en


EVENT_TYPES = {
    "维修": "P3",
    "活动": "P4",
    "成交": "P5",
    "咨询": "P6",
    "提案": "P13",
    "出差拜访": "P14",
}


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(EVENT_TYPES)),
    st.dates(D("2026-01-05"), D("2026-10-30")),
    st.integers(0, 200),
)
def test_every_event_rule_lapses_the_day_after_its_window(etype, day, later):
    b = book([customer()], [], [event(etype=etype, date=day.isoformat())])
    as_of = day + dt.timedelta(days=later)
    for o in event_items(b, as_of.isoformat()):
        assert o.rule == EVENT_TYPES[etype] and o.lapse_date == CAL.add_working_days(
            o.due_date, LAPSE_DEFAULTS[o.rule]
        )
        assert o.status(as_of) == (
            "missed"
            if as_of > o.lapse_date
            else "overdue"
            if as_of > o.due_date
            else "due"
            if as_of == o.due_date
            else "upcoming"
        )
        assert o.escalate_on is None and not o.escalate(as_of)


@settings(max_examples=60, deadline=None)
@given(st.dates(D("2026-01-05"), D("2026-10-30")), st.integers(0, 400), st.integers(0, 15))
def test_complaints_and_open_issues_never_lapse_and_escalate(day, later, n):
    b = book(
        [customer(), customer("K0")],
        [
            call(date=day.isoformat(), issue="漏水", issue_status="未解决", next_date=None),
            # 张伟 keeps 上报主管日期 (since the start of the year): P20 is checked for him
            call(cid="K0", date="2026-01-02", row=9, escalated_on=D("2026-01-02")),
        ],
        [event(etype="投诉", date=day.isoformat())],
    )
    as_of = day + dt.timedelta(days=later)
    got = [
        o
        for o in event_items(b, as_of.isoformat(), escalate_workdays=n)
        if o.is_open and o.customer_id == "K1"
    ]
    assert {o.rule for o in got} == {"P2", "P9", "P20"}
    for o in got:
        if o.rule == "P20":  # the same-day report to the head: escalated from its due date, and
            # missed (no longer escalated) 5 working days on, its 回访规则 window
            assert o.escalate_on == o.due_date
            assert o.lapse_date == CAL.add_working_days(o.due_date, 5)
            assert o.escalate(as_of) == (o.escalate_on <= as_of <= o.lapse_date)
            continue
        assert o.lapse_date is None and not o.missed(as_of)
        assert o.escalate_on == CAL.add_working_days(o.due_date, n)
        assert o.escalate(as_of) == (as_of >= o.escalate_on)
        assert o.status(as_of) != "missed"


def test_closed_and_withdrawn_events_make_nothing_more():
    b = book(
        [customer()],
        [call(date="2026-10-06", call_type="维修", event_id="E2")],
        [
            event(
                "E1",
                etype="维修",
                date="2026-10-01",
                status="已办结",
                closing_note="客户来电确认已修好",
            ),
            event("E2", etype="维修", date="2026-10-02", status="已办结"),
            event("E3", etype="投诉", date="2026-10-03", status="已撤销"),
            event("E4", etype="工程", date="2026-10-05", planned_end="2026-12-20", status="已撤销"),
        ],
    )
    got = event_items(b, "2026-11-25")
    assert [(o.event_id, o.is_open) for o in got] == [
        ("E2", False)
    ]  # the call made stays on record


def test_do_not_call_customers_make_nothing_and_a_later_call_is_flagged():
    b = book(
        [
            customer(
                "K1", status="停止回访", status_since=D("2026-10-01"), note="客户要求不再来电"
            ),
            customer("K2"),
        ],
        [
            call("K1", "2026-09-20", row=2),
            call("K1", "2026-10-05", row=3),
            call("K2", "2026-10-05", row=4),
        ],
        [event("E1", "K1", etype="成交", date="2026-10-20")],
    )
    r = compute_obligations(b, Policy(), D("2026-11-25"))
    assert not [o for o in r.obligations if o.customer_id == "K1"]
    assert [o for o in r.obligations if o.customer_id == "K2"]
    found = [f for f in run_checks(b, Policy(), D("2026-11-25")).findings if f.code == "V4c"]
    assert [(f.row, f.severity) for f in found] == [(3, "warning")]


def test_closed_without_a_call_asks_for_a_closing_note():
    b = book(
        [customer()],
        [call(date="2026-10-06", call_type="维修", event_id="E2")],
        [
            event("E1", etype="维修", date="2026-10-01", status="已办结"),
            event("E2", etype="维修", date="2026-10-02", status="已办结"),
            event(
                "E3", etype="维修", date="2026-10-03", status="已办结", closing_note="客户自行处理"
            ),
            event("E4", etype="维修", date="2026-10-04", status="已撤销"),
        ],
    )
    found = [f for f in run_checks(b, Policy(), D("2026-11-25")).findings if f.code == "V17"]
    assert [f.message("zh").split("”")[0].split("“")[1] for f in found] == ["E1"]
    assert all("办结说明" in f.message("zh") for f in found)


def test_a_move_in_or_emergency_closed_without_its_call_asks_for_a_closing_note():
    """V17 knows the seed duties' event types too: a 入伙 or 突发事件 marked 已办结 with no 入伙 /
    突发事件 call and no 办结说明 is named; one with its call is not."""
    b = book(
        [customer()],
        [call(date="2026-10-12", call_type="突发事件", event_id="E6")],
        [
            event("E5", etype="入伙", date="2026-10-01", status="已办结"),
            event("E6", etype="突发事件", date="2026-10-09", status="已办结"),
            event("E7", etype="突发事件", date="2026-10-10", status="已办结"),
        ],
    )
    found = [f for f in run_checks(b, Policy(), D("2026-11-25")).findings if f.code == "V17"]
    assert [f.message("zh").split("”")[0].split("“")[1] for f in found] == ["E5", "E7"]


def test_a_call_of_another_type_inside_the_window_is_offered_as_a_hint():
    b = book(
        [customer()],
        [
            call(date="2026-06-12", call_type="例行"),
            call(date="2026-08-20", call_type="例行", row=3),
        ],
        [
            event("E1", etype="咨询", date="2026-06-10"),
            event("E2", etype="维修", date="2026-08-01"),
        ],
    )
    by_event = {o.event_id: o for o in event_items(b, "2026-11-25")}
    assert (
        by_event["E1"].maybe_done_on == D("2026-06-12") and by_event["E1"].is_open
    )  # not silently satisfied
    assert by_event["E2"].maybe_done_on == D("2026-08-20")


def _o(rule, due, lapse=None, sat=None, cid="K1"):
    return Obligation(
        cid,
        rule,
        D(due),
        WHY,
        trigger_date=D(due) - dt.timedelta(days=5),
        source=f"{cid}{rule}{due}",
        event_id=f"E{cid}{due}",
        call_types=("咨询",),
        satisfied_on=D(sat) if sat else None,
        satisfied_by="c" if sat else None,
        owner="张伟",
        lapse_date=D(lapse) if lapse else None,
    )


def test_report_counts_missed_items_once_as_planned_and_not_done():
    obls = {
        "missed in Oct": _o("P6", "2026-10-12", "2026-10-26"),
        "missed on the 31st": _o("P6", "2026-10-19", "2026-10-31", cid="K2"),
        "still in window": _o("P6", "2026-10-26", "2026-11-09", cid="K3"),
        "late but done": _o("P6", "2026-09-14", "2026-09-28", sat="2026-10-05", cid="K4"),
        "missed in Sep": _o("P6", "2026-09-07", "2026-09-21", cid="K5"),
        "complaint": _o("P2", "2026-09-07", cid="K6"),
    }
    months = {}
    for m in ("2026-10", "2026-11"):
        items = month_items(obls.values(), [], *month_bounds(m))
        months[m] = {
            name: next(((i.done, i.missed) for i in items if i.obligation is o), None)
            for name, o in obls.items()
        }
    assert months["2026-10"] == {
        "missed in Oct": (False, True),
        "missed on the 31st": (False, False),
        "still in window": (False, False),
        "late but done": (True, False),
        "missed in Sep": None,
        "complaint": (False, False),
    }
    assert months["2026-11"] == {
        "missed in Oct": None,
        "missed on the 31st": (False, True),
        "still in window": (False, True),
        "late but done": None,
        "missed in Sep": None,
        "complaint": (False, False),
    }


def test_schedule_never_plans_a_missed_item_and_lists_escalations():
    b = book(
        [customer("K1"), customer("K2")],
        [],
        [
            event("E1", "K1", etype="咨询", date="2026-06-10"),
            event("E2", "K2", etype="投诉", date="2026-10-26"),
        ],
    )
    policy = Policy()
    obls = compute_obligations(b, policy, D("2026-11-22"), CAL).obligations
    plan = plan_week(obls, [staff("张伟")], {}, policy, CAL, D("2026-11-23"), D("2026-11-22"))
    assert "P6" not in {i.rule for i in plan.items} | {u.rule for u in plan.unscheduled}
    assert [(e.customer_id, e.rule) for e in plan.escalations] == [("K2", "P2")]
    assert plan.items[0].customer_id == "K2" and any(
        i.escalate for i in plan.items[:3]
    )  # escalated customer first


def unseen(path):
    """A book made by hand: a June consultation, a closed repair, a do-not-call customer and a complaint
    closed a month ago; each customer filed in May and called on 11-16."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户名录"
    ws.append(
        ["客户ID", "客户姓名", "手机", "等级", "业务员", "登记日期", "状态", "状态日期", "备注"]
    )
    ws.append(["K1", "甲", "13800138002", "C", "张伟", "2026-05-01", "正常", None, None])
    ws.append(["K2", "乙", "13800138004", "C", "张伟", "2026-05-01", "正常", None, None])
    ws.append(
        [
            "K3",
            "丙",
            "13800138006",
            "C",
            "张伟",
            "2026-05-01",
            "停止回访",
            "2026-10-01",
            "客户要求不再来电",
        ]
    )
    ws.append(["K4", "丁", "13800138008", "C", "张伟", "2026-05-01", None, None, None])
    calls = wb.create_sheet("回访记录")
    calls.append(["客户编号", "回访日期", "方式", "回访类型", "回访人", "内容", "结果"])
    for cid in ("K1", "K2", "K4"):
        calls.append([cid, "2026-11-16", "电话", "例行", "张伟", "ok", "成功"])
    calls.append(["K3", "2026-10-05", "电话", "例行", "张伟", "客户表示不要再打", "拒访"])
    events = wb.create_sheet("回访事项")
    events.append(["事项编号", "客户编号", "事项类型", "事项日期", "状态", "办结说明"])
    events.append(["E1", "K1", "技术咨询", "2026-06-10", None, None])
    events.append(["E2", "K2", "维修", "2026-11-02", "已办结", "客户来电确认已修好"])
    events.append(["E3", "K3", "成交", "2026-10-20", None, None])
    events.append(["E4", "K4", "投诉", "2026-10-26", "进行中", None])
    wb.save(path)
    return path


def test_unseen_book_due_list_shows_missed_nothing_nothing_escalate(tmp_path):
    src = unseen(tmp_path / "unseen.xlsx")
    before = src.read_bytes()
    r = CliRunner().invoke(main, ["due", str(src), "--as-of", "2026-11-25", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    got = {(i["customer_id"], i["rule"], i["status"], i["escalate"]) for i in out["items"]}
    assert got == {
        ("K1", "P6", "missed", False),  # June's consultation: past its window
        ("K4", "P2", "overdue", True),  # closed 10-26, due 10-29: open > 5 working days
        ("K1", "P1", "upcoming", False),
        ("K2", "P1", "upcoming", False),  # 11-16 + 30 days
        ("K4", "P1", "upcoming", False),
        ("", "P12", "upcoming", False),
    }
    assert (
        out["items"][0]["rule"] == "P2" and out["items"][-1]["status"] == "missed"
    )  # escalations first
    assert out["counts"] == {"overdue": 1, "due": 0, "upcoming": 4, "missed": 1, "escalate": 1}
    k4 = out["items"][0]
    assert k4["maybe_done_on"] == "2026-11-16" and "可能已在 2026-11-16 的回访中完成" in k4["hint"]
    assert src.read_bytes() == before
    v = json.loads(
        CliRunner().invoke(main, ["validate", str(src), "--as-of", "2026-11-25", "--json"]).stdout
    )
    assert [(f["code"], f["cell"]) for f in v["findings"] if f["code"] in ("V4c", "V17")] == [
        ("V4c", "B5")
    ]


def test_due_workbook_has_a_missed_sheet_and_english_footers(tmp_path):
    src = unseen(tmp_path / "unseen.xlsx")
    out = tmp_path / "due.xlsx"
    r = CliRunner().invoke(
        main, ["due", str(src), "--as-of", "2026-11-25", "-o", str(out), "--lang", "en"]
    )
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Due", "Missed"]
    assert wb["Due"]["A2"].value == "Overdue" and wb["Due"]["K2"].value == "To supervisor"
    assert [c.value for c in wb["Missed"]["A"]][1:] == ["Missed"] and wb["Missed"][
        "I2"
    ].value == "P6"
    assert wb["Due"].oddFooter.center.text == "Page &P of &N"
    zh = tmp_path / "due_zh.xlsx"
    CliRunner().invoke(main, ["due", str(src), "--as-of", "2026-11-25", "-o", str(zh)])
    assert openpyxl.load_workbook(zh)["逾期未办"]["A2"].value == "逾期未办"


def test_handover_and_split_keep_do_not_call(office_dir, tmp_path):
    from office_master import write_master

    from followup_xl import api
    from followup_xl.io.read.workbook import read_book

    master = write_master(office_dir, tmp_path / "总表.xlsx")
    quiet = {
        c.customer_id: (c.status_since, c.note)
        for c in read_book(master).customers
        if c.do_not_call
    }
    leaving = {c.customer_id for c in read_book(master).customers if c.owner == "杨磊"}
    assert quiet and set(quiet) & leaving and all(since for since, _ in quiet.values())
    new = tmp_path / "新总表.xlsx"
    api.handover(
        str(master),
        str(new),
        leaver="杨磊",
        receivers=["张伟", "王芳"],
        as_of=D("2026-11-22"),
        by="赵刚",
    )
    after = {c.customer_id: c for c in read_book(new).customers if c.customer_id in quiet}
    assert {cid: (c.status, c.status_since, c.note) for cid, c in after.items()} == {
        cid: ("停止回访", *v) for cid, v in quiet.items()
    }
    api.split(str(new), str(tmp_path / "split"), as_of=D("2026-11-22"))
    split = {
        c.customer_id: c
        for p in (tmp_path / "split").glob("*.xlsx")
        for c in read_book(p).customers
    }
    assert {cid: (split[cid].status, split[cid].status_since) for cid in quiet} == {
        cid: ("停止回访", v[0]) for cid, v in quiet.items()
    }
    due = api.due(str(new), as_of=D("2026-11-22"))
    assert not {i.customer_id for i in due.items} & set(quiet)


def test_docs_state_the_demo_due_list_by_status(office_dir, tmp_path):
    """docs/rules.md's figures for the demo's due list are what `due` gives on the example office."""
    import re
    from pathlib import Path

    from office_master import write_master

    from followup_xl import api

    text = " ".join(
        (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8").split()
    )
    m = re.search(
        r"lists (\d+) items: (\d+) overdue \((\d+) of them to escalate[^)]*\), none due that day, "
        r"(\d+) upcoming \((\d+) of all open items fall due by the end of the coming week\) and (\d+) missed",
        text,
    )
    assert m, "docs/rules.md's demo due-list sentence is missing"
    out = api.due(str(write_master(office_dir, tmp_path / "总表.xlsx")), as_of=D("2026-11-22"))
    n = out.counts
    week = sum(1 for i in out.items if i.status != "missed" and i.due_date <= D("2026-11-29"))
    assert [int(g) for g in m.groups()] == [
        len(out.items),
        n["overdue"],
        n["escalate"],
        n["upcoming"],
        week,
        n["missed"],
    ] and n["due"] == 0
    assert f"{sum(1 for i in out.items if i.hint)} items carry" in text


@pytest.mark.parametrize("lang, footer", [("en", "Page &P of &N"), ("zh", "第 &P 页 / 共 &N 页")])
def test_print_footers_follow_lang(tmp_path, lang, footer):
    src = unseen(tmp_path / "unseen.xlsx")
    runs = {
        "due.xlsx": ["due", "--as-of", "2026-11-25"],
        "schedule.xlsx": ["schedule", "--as-of", "2026-11-22"],
        "weekly.xlsx": ["weekly", "--week-of", "2026-11-22"],
        "report.xlsx": ["report", "--month", "2026-11"],
    }
    for name, args in runs.items():
        r = CliRunner().invoke(
            main, [args[0], str(src), *args[1:], "-o", str(tmp_path / name), "--lang", lang]
        )
        assert r.exit_code == 0, (name, r.output)
        wb = openpyxl.load_workbook(tmp_path / name)
        footers = {
            ws.title: ws.oddFooter.center.text for ws in wb.worksheets if ws.oddFooter.center.text
        }
        assert footers and set(footers.values()) == {footer}, (name, footers)


def test_escalations_are_on_the_managers_schedule_page(tmp_path):
    src = unseen(tmp_path / "unseen.xlsx")
    out = tmp_path / "排期.xlsx"
    r = CliRunner().invoke(
        main, ["schedule", str(src), "--as-of", "2026-11-22", "-o", str(out), "--json"]
    )
    assert r.exit_code == 0, r.output
    plan = json.loads(r.stdout)
    assert [(e["customer_id"], e["rule"]) for e in plan["escalations"]] == [("K4", "P2")]
    assert "P6" not in {
        i["rule"] for i in plan["items"] + plan["unscheduled"]
    }  # June's consultation: missed
    ws = openpyxl.load_workbook(out)["汇总"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    title = next(
        i for i, row in enumerate(cells) if row[0] and str(row[0]).startswith("须上报主管")
    )
    assert cells[title + 2][:2] == ["张伟", "K4"] and cells[title + 2][4] == "P2"


def test_overdue_at_month_end_leaves_out_missed_items():
    from followup_xl.report import overdue_at

    obls = [
        _o("P6", "2026-10-12", "2026-10-26"),
        _o("P6", "2026-10-19", "2026-10-31", cid="K2"),
        _o("P2", "2026-09-07", cid="K3"),
        _o("P6", "2026-10-20", "2026-11-03", sat="2026-10-22", cid="K4"),
    ]
    assert overdue_at(obls, D("2026-10-31")) == 2  # K2 (window ends that day) and the complaint K3


def test_a_typed_date_is_not_flagged_for_a_deadline_already_missed():
    """P11 flags a 下次回访日期 typed after an open hard deadline — one still worth a call. A
    repair done 2026-06-01 (due 07-01, missed after its 22-working-day window, early August) says
    nothing about a call typed for 11-03 on 10-30; an open complaint of 10-27 (due 10-30) does."""
    repair = event("E1", etype="维修", date="2026-06-01")
    typed = call(date="2026-10-30", result="改约", next_date="2026-11-03")
    r = compute_obligations(book([customer()], [typed], [repair]), Policy(), D("2026-11-02"))
    (routine,) = [o for o in r.obligations if o.rule == "P1" and o.is_open]
    assert "typed_after_deadline" not in routine.flags
    complaint = event("E2", etype="投诉", date="2026-10-27")
    r = compute_obligations(
        book([customer()], [typed], [repair, complaint]), Policy(), D("2026-11-02")
    )
    (routine,) = [o for o in r.obligations if o.rule == "P1" and o.is_open]
    assert "typed_after_deadline" in routine.flags
