"""Small builders for hand-made books in unit tests."""

from __future__ import annotations

import datetime as dt

from followup_xl.models import Book, Call, Customer, Event, Source, Staff

D = dt.date.fromisoformat


def customer(cid="K1", klass="A", created="2026-01-05", owner="张伟", **kw) -> Customer:
    vals = dict(
        customer_id=cid,
        name=f"客户{cid}",
        phone="13800138002",
        klass=klass,
        owner=owner,
        created=D(created) if created else None,
        status="正常",
    )
    vals.update(kw)
    return Customer.build(Source(file="t.xlsx", sheet="客户名录簿", row=2), {}, {}, vals)


def call(cid="K1", date="2026-03-02", call_type="例行", result="成功", row=2, **kw) -> Call:
    vals = dict(
        customer_id=cid,
        call_date=D(date),
        method="电话",
        call_type=call_type,
        caller="张伟",
        content="回访",
        result=result,
    )
    vals.update(
        {
            k: (D(v) if k in ("next_date", "related_date") and isinstance(v, str) else v)
            for k, v in kw.items()
        }
    )
    return Call.build(Source(file="t.xlsx", sheet="回访记录表", row=row), {}, {}, vals)


def event(eid="E1", cid="K1", etype="投诉", date="2026-03-02", **kw) -> Event:
    vals = dict(event_id=eid, customer_id=cid, event_type=etype, event_date=D(date), owner="张伟")
    vals.update(
        {
            k: (D(v) if k in ("planned_end", "actual_end") and isinstance(v, str) else v)
            for k, v in kw.items()
        }
    )
    return Event.build(Source(file="t.xlsx", sheet="回访事项", row=2), {}, {}, vals)


def staff(name="张伟", role="员工", **kw) -> Staff:
    vals = dict(name=name, role=role, status="在职")
    vals.update(kw)
    return Staff.build(None, {}, {}, vals)


def book(customers=(), calls=(), events=(), staff_=()) -> Book:
    return Book(
        path="t.xlsx",
        customers=list(customers),
        calls=list(calls),
        events=list(events),
        staff=list(staff_),
    )
