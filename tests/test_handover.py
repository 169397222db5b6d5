"""Hand-over core: fair plan, checks on an edited plan, applying it loses nothing."""

import datetime as dt
import random
from collections import Counter
from dataclasses import replace

import pytest
from helpers import book, call, customer, event, staff
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl import handover
from followup_xl.errors import BadReceivers, BadSmsTemplate, FollowupError, UsageError
from followup_xl.models import Book
from followup_xl.policy import compute_obligations
from followup_xl.settings import Policy

DAY = dt.date(2026, 11, 22)


def office_master(office) -> Book:
    """All staff books of the example office as one Book (what a merge gives, minus provenance)."""
    books = list(office.books.values())
    return Book(
        path="master.xlsx",
        customers=[c for b in books for c in b.customers],
        calls=[k for b in books for k in b.calls],
        events=[e for b in books for e in b.events],
        staff=list(books[0].staff),
        rules=list(books[0].rules),
    )


def small_office():
    cs = [customer(f"K{i}", klass="ABC"[i % 3], owner="杨磊") for i in range(1, 12)]
    cs += [
        customer("K90", owner="张伟"),
        customer("K91", owner="张伟", klass="B"),
        customer("K92", owner="王芳"),
    ]
    cs.append(customer("K20", owner="杨磊", status="废除"))
    calls = [call("K1", row=2), call("K2", row=3), call("K90", row=4)]
    events = [
        event("E1", "K1", owner="杨磊"),
        event("E2", "K90", owner="杨磊"),
        event("E3", "K2", owner="孙丽"),
    ]
    people = [
        staff("张伟", phone="13900000001"),
        staff("王芳", phone="13900000002"),
        staff("杨磊"),
        staff("孙丽", role="部门主管"),
    ]
    return book(cs, calls, events, people)


def test_each_class_is_shared_evenly_and_leftovers_go_to_the_lighter_load():
    b = small_office()
    plan = handover.make_plan(b, "杨磊", ["张伟", "王芳"], DAY, by="赵刚")
    got = plan.received()
    # 11 customers: A 3 (K3,K6,K9), B 4, C 4, and one void
    assert {g: got["张伟"][g] + got["王芳"][g] for g in ("A", "B", "C", "废除")} == {
        "A": 3,
        "B": 4,
        "C": 4,
        "废除": 1,
    }
    for g in ("A", "B", "C"):
        assert abs(got["张伟"][g] - got["王芳"][g]) <= 1
    # 张伟 already had 2 customers, 王芳 1: the odd A goes to 王芳; the totals end within one
    assert plan.existing == {"张伟": 2, "王芳": 1}
    assert got["王芳"]["A"] == 2
    after = {row["receiver"]: row["after"] for row in plan.summary()}
    assert abs(after["张伟"] - after["王芳"]) <= 1
    assert sorted(m.customer_id for m in plan.moves) == sorted(
        [f"K{i}" for i in range(1, 12)] + ["K20"]
    )


def test_plan_is_deterministic_whatever_the_row_order():
    b = small_office()
    first = handover.make_plan(b, "杨磊", ["张伟", "王芳"], DAY)
    shuffled = list(b.customers)
    random.Random(7).shuffle(shuffled)
    second = handover.make_plan(replace(b, customers=shuffled), "杨磊", ["张伟", "王芳"], DAY)
    assert {m.customer_id: m.receiver for m in first.moves} == {
        m.customer_id: m.receiver for m in second.moves
    }


def _plan_for(classes, loads):
    receivers = [f"R{i}" for i in range(len(loads))]
    cs = [
        customer(f"K{i}", klass=k, owner="L", status="废除" if k == "void" else "正常")
        for i, k in enumerate(classes)
    ]
    for r, n in zip(receivers, loads):
        cs += [customer(f"{r}-{j}", owner=r) for j in range(n)]
    return receivers, handover.make_plan(book(cs), "L", receivers, DAY)


CLASSES = st.sampled_from(["A", "B", "C", None, "void"])


@settings(max_examples=200, deadline=None)
@given(
    classes=st.lists(CLASSES, min_size=1, max_size=40),
    loads=st.lists(st.integers(0, 30), min_size=1, max_size=4),
)
def test_fair_for_any_office(classes, loads):
    receivers, plan = _plan_for(classes, loads)
    assert Counter(m.customer_id for m in plan.moves) == Counter(
        f"K{i}" for i in range(len(classes))
    )
    got = plan.received()
    after = {row["receiver"]: row["after"] for row in plan.summary()}
    for r in receivers:  # whoever received someone ends at most one above the lightest
        if sum(n for g, n in got[r].items() if g != "废除"):
            assert after[r] <= min(after.values()) + 1
    voids = [got[r]["废除"] for r in receivers]
    assert max(voids) - min(voids) <= 1
    takers = [r for r in receivers if sum(n for g, n in got[r].items() if g != "废除")]
    if len(takers) > 1 and classes.count("A") >= len(takers):
        assert all(got[r]["A"] >= 1 for r in takers)  # nobody gets all the A customers


@settings(max_examples=200, deadline=None)
@given(
    classes=st.lists(CLASSES, min_size=1, max_size=40), k=st.integers(1, 4), load=st.integers(0, 20)
)
def test_equal_loads_share_every_class_evenly(classes, k, load):
    receivers, plan = _plan_for(classes, [load] * k)
    got = plan.received()
    for g in handover.GROUPS:
        counts = [got[r][g] for r in receivers]
        assert max(counts) - min(counts) <= 1, (g, counts)


def test_a_heavier_load_receives_fewer_but_still_a_mix_of_classes():
    receivers, plan = _plan_for(["A"] * 4 + ["B"] * 6 + ["C"] * 10, [30, 10])
    got = plan.received()
    assert plan.summary()[0]["after"] == plan.summary()[1]["after"] == 30  # 30+0 and 10+20
    assert got["R0"] == Counter() and sum(got["R1"].values()) == 20
    receivers, plan = _plan_for(["A"] * 4 + ["B"] * 6 + ["C"] * 10, [14, 10])
    got = plan.received()
    assert [sum(got[r].values()) for r in receivers] == [8, 12]
    assert got["R0"]["A"] >= 1 and got["R1"]["A"] >= 1 and got["R0"]["C"] >= 1


def test_applying_changes_only_owners_and_moves_history_with_the_customer():
    b = small_office()
    plan = handover.make_plan(b, "杨磊", ["张伟", "王芳"], DAY, by="赵刚")
    new = handover.apply_plan(b, plan)
    to = {m.customer_id: m.receiver for m in plan.moves}
    assert (
        len(new.customers) == len(b.customers)
        and len(new.calls) == len(b.calls)
        and len(new.events) == len(b.events)
    )
    for old, now in zip(b.customers, new.customers):
        expected = {**old.values(), "owner": to.get(old.customer_id, old.owner)}
        assert now.values() == expected and now.src == old.src
    assert new.calls == b.calls  # calls keep caller, date, everything
    assert {e.event_id: e.owner for e in new.events} == {"E1": to["K1"], "E2": "张伟", "E3": "孙丽"}
    assert not [c for c in new.customers if c.owner == "杨磊"]
    (left,) = [s for s in new.staff if s.name == "杨磊"]
    assert left.status == "离职" and left.left == DAY
    assert b.staff[2].status == "在职"  # the input Book is untouched


def test_a_leaver_missing_from_the_staff_sheet_is_added_as_left():
    b = small_office()
    b = replace(b, staff=[s for s in b.staff if s.name != "杨磊"])
    new = handover.apply_plan(b, handover.make_plan(b, "杨磊", ["张伟"], DAY))
    assert [(s.name, s.status, s.left) for s in new.staff if s.name == "杨磊"] == [
        ("杨磊", "离职", DAY)
    ]


@pytest.mark.parametrize(
    "leaver,receivers,says",
    [
        ("杨磊", [], "至少一位接收人"),
        ("杨磊", ["杨磊", "张伟"], "既是离职人又是接收人"),
        ("杨磊", ["张伟", "张伟"], "接收人重复"),
        ("杨磊", ["张三"], "接收人不在人员表中：张三"),
        ("杨雷", ["张伟"], "杨雷 名下没有客户"),
    ],
)
def test_impossible_handovers_are_refused_with_a_sentence(leaver, receivers, says):
    with pytest.raises(UsageError) as err:
        handover.make_plan(small_office(), leaver, receivers, DAY)
    assert says in err.value.message("zh")


def test_a_receiver_who_has_left_is_refused():
    b = small_office()
    b.staff[1] = staff("王芳", status="离职")
    with pytest.raises(BadReceivers) as err:
        handover.make_plan(b, "杨磊", ["张伟", "王芳"], DAY)
    assert err.value.msg_id == "handover.receiver_left" and err.value.params["gone"] == ["王芳"]


def _edited(plan, **changes):
    moves = [replace(m, row=i + 2) for i, m in enumerate(plan.moves)]
    return replace(plan, moves=changes.get("moves", lambda ms: ms)(moves))


@pytest.mark.parametrize(
    "edit,cell,says",
    [
        (lambda ms: ms[:-1], None, "缺少 杨磊 的客户：K20"),
        (lambda ms: [*ms, replace(ms[0], row=30)], "A30", "出现了两次（另见第 2 行）"),
        (lambda ms: [replace(ms[0], receiver="刘洋"), *ms[1:]], "J2", "「刘洋」不是本次的接收人"),
        (lambda ms: [replace(ms[0], receiver=""), *ms[1:]], "J2", "没有填写新负责人"),
        (lambda ms: [replace(ms[0], customer_id="K90"), *ms[1:]], "A2", "K90 不是 杨磊 名下的客户"),
    ],
)
def test_an_edited_plan_is_checked_cell_by_cell(edit, cell, says):
    b = small_office()
    plan = _edited(handover.make_plan(b, "杨磊", ["张伟", "王芳"], DAY), moves=edit)
    with pytest.raises(FollowupError) as err:
        handover.check_plan(b, plan, where="plan.xlsx", sheet="交接计划")
    assert err.value.cell == cell and says in err.value.message("zh")


def test_sms_notices_name_the_new_contact_and_skip_void_customers():
    b = small_office()
    plan = handover.make_plan(b, "杨磊", ["张伟", "王芳"], DAY)
    notices = handover.sms_notices(b, plan, Policy())
    assert {n["customer_id"] for n in notices} == {f"K{i}" for i in range(1, 12)}  # K20 is void
    n = next(n for n in notices if n["customer_id"] == "K1")
    phone = {"张伟": "13900000001", "王芳": "13900000002"}[n["new_owner"]]
    assert n["new_phone"] == phone and n["phone"] == "13800138002"
    contact = n["contact"] or "客户K1"
    assert n["text"] == (
        f"尊敬的{contact}：您好！原负责您业务的杨磊已离职，今后由{n['new_owner']}（电话{phone}）为您服务，感谢您的支持！"
    )


def test_an_sms_template_with_an_unknown_placeholder_is_refused():
    plan = handover.make_plan(small_office(), "杨磊", ["张伟"], DAY)
    with pytest.raises(BadSmsTemplate) as err:
        handover.sms_notices(small_office(), plan, Policy(sms_template="{new_owner} {new_mobile}"))
    assert err.value.params["unknown_names"] == ["new_mobile"]


def test_open_obligations_follow_the_customer_to_the_receiver(office):
    master = office_master(office)
    policy, as_of = Policy(), dt.date(2026, 11, 22)
    before = [o for o in compute_obligations(master, policy, as_of).open() if o.customer_id]
    leaving = {c.customer_id for c in master.customers if c.owner == "杨磊"}
    assert any(o.owner == "杨磊" for o in before if o.customer_id in leaving)
    plan = handover.make_plan(master, "杨磊", ["张伟", "王芳"], as_of)
    to = {m.customer_id: m.receiver for m in plan.moves}
    after = [
        o
        for o in compute_obligations(handover.apply_plan(master, plan), policy, as_of).open()
        if o.customer_id
    ]
    assert not [o for o in after if o.owner == "杨磊"]
    moved = [o for o in after if o.customer_id in leaving]
    # record re-verification (P15) stays with the verifier (核实人), whoever owns the customer
    assert moved and all(o.owner == to[o.customer_id] for o in moved if o.rule != "P15")
    assert all(o.owner in ("孙丽", to[o.customer_id]) for o in moved if o.rule == "P15")

    def key(o):
        return (o.customer_id, o.rule, o.due_date, o.source)

    assert sorted(map(key, before)) == sorted(
        map(key, after)
    )  # the same items, only on other lists
