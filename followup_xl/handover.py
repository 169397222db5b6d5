"""离职交接 (REQUIREMENTS B2, seed 000 §7): a leaving person's customers shared out fairly.

Pure: a plan is data (who goes to whom), made by ``make_plan``, possibly edited
by the manager in the plan workbook, checked by ``check_plan`` and applied by
``apply_plan`` to a Book, giving a new Book in which only owners changed.

Fairness rule, simple enough to explain to the people receiving customers:
customers go to whoever has the fewest at that moment (the customers they
already had count), so everyone ends with about the same number; and each class
(A, B, C) is shared in proportion, everyone taking some getting one of a class
before anyone gets a second — nobody receives all the important customers.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections import Counter
from dataclasses import dataclass, field, replace

from .errors import (
    BadHandoverPlan,
    BadReceivers,
    BadSmsTemplate,
    UnknownOwner,
)
from .messages import Message, message
from .models import Book, Customer, Staff
from .normalize import phone_kind
from .settings import Policy

GROUPS = ("A", "B", "C", "未分类", "废除")
GROUPS_EN = {"A": "A", "B": "B", "C": "C", "未分类": "Unclassified", "废除": "Void"}
SMS_FIELDS = ("customer", "contact", "old_owner", "new_owner", "new_phone")


def natural_key(text: str | None) -> tuple:
    """K2 before K10: ids sort the way people read them."""
    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text or "") if p
    )


def group_of(customer: Customer) -> str:
    if customer.is_void:
        return "废除"
    return customer.klass if customer.klass in ("A", "B", "C") else "未分类"


@dataclass(frozen=True)
class Move:
    """One customer of the leaver and who takes them over."""

    customer_id: str
    name: str | None
    group: str  # A/B/C/未分类/废除
    receiver: str
    calls: int = 0
    events: int = 0
    open_items: int = 0
    row: int | None = None  # Excel row in an edited plan workbook, for messages


@dataclass
class Plan:
    leaver: str
    receivers: list[str]
    moves: list[Move]
    existing: dict[str, int]  # receiver → active customers they already had
    date: dt.date
    by: str | None = None
    warnings: list[Message] = field(default_factory=list)

    def received(self) -> dict[str, Counter]:
        """receiver → group → customers received."""
        out: dict[str, Counter[str]] = {r: Counter() for r in self.receivers}
        for move in self.moves:
            out.setdefault(move.receiver, Counter())[move.group] += 1
        return out

    def summary(self) -> list[dict]:
        """Per receiver: had before, received per group, active total after."""
        rows = []
        for r, got in self.received().items():
            active = sum(n for g, n in got.items() if g != "废除")
            rows.append(
                {
                    "receiver": r,
                    "before": self.existing.get(r, 0),
                    **{g: got.get(g, 0) for g in GROUPS},
                    "received": sum(got.values()),
                    "after": self.existing.get(r, 0) + active,
                }
            )
        return rows


def _norm(name: str | None) -> str:
    return (name or "").strip()


def customers_of(book: Book, person: str) -> list[Customer]:
    return [customer for customer in book.customers if _norm(customer.owner) == person]


def active_load(book: Book) -> Counter:
    """owner → customers who are not void (what a person has to call)."""
    return Counter(
        _norm(customer.owner)
        for customer in book.customers
        if not customer.is_void and _norm(customer.owner)
    )


def check_people(book: Book, leaver: str, receivers: list[str]) -> None:
    """Refuse a hand-over that cannot be right: unknown or departed receivers, the leaver
    among the receivers, or a leaver with no customers (a typo, most likely)."""
    if not receivers:
        raise BadReceivers("handover.no_receivers")
    if leaver in receivers:
        raise BadReceivers("handover.leaver_receives", leaver=leaver)
    dupes = [r for r, n in Counter(receivers).items() if n > 1]
    if dupes:
        raise BadReceivers("handover.receiver_twice", dupes=dupes)
    staff = {_norm(person.name): person for person in book.staff if person.name}
    if staff:
        unknown = [r for r in receivers if r not in staff]
        if unknown:
            raise UnknownOwner("handover.receiver_not_staff", unknown=unknown, staff=staff)
        gone = [r for r in receivers if staff[r].has_left]
        if gone:
            raise BadReceivers("handover.receiver_left", gone=gone)
    if not customers_of(book, leaver):
        owners = sorted(
            {_norm(customer.owner) for customer in book.customers if _norm(customer.owner)}
        )
        raise UnknownOwner("owner.no_customers", owner=leaver, owners=owners)


def _counts(book: Book) -> tuple[Counter, Counter]:
    """customer id → calls, → events (history that travels with the customer)."""
    return (
        Counter(call.customer_id for call in book.calls if call.customer_id),
        Counter(event.customer_id for event in book.events if event.customer_id),
    )


def make_plan(
    book: Book,
    leaver: str,
    receivers: list[str],
    date: dt.date,
    by: str | None = None,
    open_items: dict[str, int] | None = None,
) -> Plan:
    """The fair, deterministic plan (see the module docstring for the rule)."""
    leaver, receivers = _norm(leaver), [_norm(r) for r in receivers]
    check_people(book, leaver, receivers)
    before = active_load(book)
    existing = {r: before.get(r, 0) for r in receivers}
    by_group: dict[str, list[tuple[str, Customer]]] = {g: [] for g in GROUPS}  # (id, customer)
    seen: set[str] = set()
    for customer in customers_of(book, leaver):
        cid = customer.customer_id
        if cid and cid not in seen:  # a repeated id moves as one (a V3 finding)
            seen.add(cid)
            by_group[group_of(customer)].append((cid, customer))
    for items in by_group.values():
        items.sort(key=lambda item: natural_key(item[0]))
    to = assign(
        {g: [cid for cid, _ in items] for g, items in by_group.items()},
        receivers,
        existing,
    )
    calls, events = _counts(book)
    open_items = open_items or {}
    moves = [
        Move(
            cid,
            customer.name,
            g,
            to[cid],
            calls.get(cid, 0),
            events.get(cid, 0),
            open_items.get(cid, 0),
        )
        for g in GROUPS
        for cid, customer in by_group[g]
    ]
    plan = Plan(leaver, receivers, moves, existing, date, by)
    plan.warnings = _plan_warnings(book, plan)
    return plan


def assign(
    groups: dict[str, list[str]], receivers: list[str], existing: dict[str, int]
) -> dict[str, str]:
    """customer id → receiver, in two steps.

    How many: customers go one at a time to whoever has the fewest (existing
    customers count), so the totals end as even as they can be. Which ones: each
    class is dealt out in proportion to those totals, everyone with room getting
    one of a class before anyone gets a second — so nobody gets all the A customers
    while someone else gets only C. Void customers are dealt out evenly and do
    not count as load.
    """
    index = {r: i for i, r in enumerate(receivers)}
    active = sum(len(ids) for g, ids in groups.items() if g != "废除")
    load, quota = dict(existing), {r: 0 for r in receivers}
    for _ in range(active):
        r = min(receivers, key=lambda r: (load[r], index[r]))
        load[r] += 1
        quota[r] += 1
    room = dict(quota)
    out: dict[str, str] = {}
    # Deal the customers class by class (A first) round the table, skipping whoever is
    # full: consecutive dealing splits every class as evenly as the quotas allow.
    order = sorted(receivers, key=lambda r: (existing.get(r, 0), index[r]))
    turn = 0
    for g in GROUPS:
        if g == "废除":
            continue
        for cid in groups.get(g, ()):
            while not room[order[turn % len(order)]]:
                turn += 1
            r = order[turn % len(order)]
            room[r] -= 1
            out[cid] = r
            turn += 1
    for i, cid in enumerate(groups.get("废除", ())):
        out[cid] = order[i % len(order)]
    return out


def _plan_warnings(book: Book, plan: Plan) -> list[Message]:
    phones = {_norm(person.name): person.phone for person in book.staff}
    out = [message("handover.receiver_no_phone", r=r) for r in plan.receivers if not phones.get(r)]
    no_id = sum(1 for customer in customers_of(book, plan.leaver) if not customer.customer_id)
    if no_id:
        out.append(message("handover.customers_without_id", leaver=plan.leaver, no_id=no_id))
    return out


def check_plan(
    book: Book,
    plan: Plan,
    where: str | None = None,
    sheet: str | None = None,
    receiver_col: str = "J",
    id_col: str = "A",
) -> None:
    """An edited plan must still name every customer of the leaver exactly once, each to a
    receiver allowed by the plan. The first problem is raised with the plan cell."""

    def fail(msg_id: str, move: Move | None, col: str, **params):
        cell = f"{col}{move.row}" if move is not None and move.row else None
        raise BadHandoverPlan(msg_id, path=where, sheet=sheet, cell=cell, **params)

    if not plan.receivers:
        fail("plan.no_receivers", None, receiver_col)
    mine = {
        customer.customer_id for customer in customers_of(book, plan.leaver) if customer.customer_id
    }
    seen: dict[str, Move] = {}
    for move in plan.moves:
        if not move.customer_id:
            fail("plan.blank_id", move, id_col)
        if move.customer_id in seen:
            fail(
                "plan.customer_twice",
                move,
                id_col,
                customer_id=move.customer_id,
                row=seen[move.customer_id].row,
            )
        seen[move.customer_id] = move
        if move.customer_id not in mine:
            fail(
                "plan.not_leavers_customer",
                move,
                id_col,
                customer_id=move.customer_id,
                leaver=plan.leaver,
            )
        if not move.receiver:
            fail("plan.no_receiver", move, receiver_col, customer_id=move.customer_id)
        if move.receiver not in plan.receivers:
            fail(
                "plan.not_a_receiver",
                move,
                receiver_col,
                receiver=move.receiver,
                receivers=plan.receivers,
            )
    missing = sorted(mine - set(seen), key=natural_key)
    if missing:
        fail(
            "plan.customers_left_out",
            None,
            id_col,
            leaver=plan.leaver,
            first_missing=missing[:10],
            more=message("plan.and_more") if len(missing) > 10 else "",
        )


def apply_plan(book: Book, plan: Plan) -> Book:
    """A new Book: the moved customers' owner set to their receiver, events the leaver owned
    follow their customer, the leaver marked 离职 in 人员. Nothing else changes."""
    to = {move.customer_id: move.receiver for move in plan.moves}
    customers = [
        customer.model_copy(update={"owner": to[customer.customer_id]})
        if _norm(customer.owner) == plan.leaver and customer.customer_id in to
        else customer
        for customer in book.customers
    ]
    owner_now: dict[str | None, str] = {}
    for customer in customers:
        owner_now.setdefault(customer.customer_id, _norm(customer.owner))
    events = []
    for event in book.events:
        if _norm(event.owner) == plan.leaver:
            new = to.get(event.customer_id or "") or owner_now.get(event.customer_id)
            if new and new != plan.leaver:
                event = event.model_copy(update={"owner": new})
        events.append(event)
    return replace(
        book,
        customers=customers,
        events=events,
        staff=_mark_left(book.staff, plan.leaver, plan.date),
    )


def _mark_left(staff: list[Staff], person: str, date: dt.date) -> list[Staff]:
    out, found = [], False
    for member in staff:
        if _norm(member.name) == person:
            found = True
            member = member.model_copy(update={"status": "离职", "left": member.left or date})
        out.append(member)
    if not found:
        out.append(Staff.build(None, {}, {}, {"name": person, "status": "离职", "left": date}))
    return out


def log_rows(plan: Plan) -> list[dict]:
    """The 交接记录 lines: who moved where, when, by whom."""
    return [
        {
            "date": plan.date,
            "customer_id": move.customer_id,
            "name": move.name,
            "group": move.group,
            "from": plan.leaver,
            "to": move.receiver,
            "calls": move.calls,
            "events": move.events,
            "open_items": move.open_items,
            "by": plan.by,
        }
        for move in plan.moves
    ]


def check_template(template: str) -> None:
    """Refuse an SMS template with a placeholder we cannot fill, before anything is written."""
    try:
        fields = [
            (field, spec, conv)
            for _, field, spec, conv in string.Formatter().parse(template)
            if field is not None
        ]
    except ValueError as exc:
        raise BadSmsTemplate("sms.malformed", exc=exc) from exc
    # Only plain {field}: a width such as {customer:>300000000} would build gigabytes of text.
    fancy = [
        f"{{{field}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}"
        for field, spec, conv in fields
        if spec or conv
    ]
    if fancy:
        raise BadSmsTemplate("sms.formatted_placeholder", fancy=fancy)
    names = [field for field, _, _ in fields]
    unknown = [n for n in names if n not in SMS_FIELDS]
    if unknown:
        raise BadSmsTemplate(
            "sms.unknown_placeholder",
            unknown=["{" + n + "}" for n in unknown],
            available=" ".join("{" + n + "}" for n in SMS_FIELDS),
            unknown_names=unknown,
        )


def manager_of(book: Book) -> str | None:
    """Who carries out a hand-over when --by is not given: the one 公司经理 still working in 人员."""
    managers = sorted(
        {
            _norm(person.name)
            for person in book.staff
            if person.role == "公司经理" and not person.has_left and _norm(person.name)
        }
    )
    return managers[0] if len(managers) == 1 else None


def sms_notices(book: Book, plan: Plan, policy: Policy) -> list[dict]:
    """以短信形式告知顾客 (000 §7.4): one text per moved customer who is not void.

    The text greets the contact person (孔工), not the company. ``channel`` is "sms"
    for a mobile; a landline or a phone that cannot be read cannot take a text, so
    those are "call" (需电话告知) with the reason, and the text is what to say. A receiver
    without a phone in 人员 would be named with none: "phone" (待补充电话), held back.
    """
    check_template(policy.sms_template)
    people = {_norm(person.name): person for person in book.staff}
    by_id = {
        customer.customer_id: customer
        for customer in book.customers
        if _norm(customer.owner) == plan.leaver
    }
    out = []
    for move in plan.moves:
        customer = by_id.get(move.customer_id)
        if customer is None or customer.is_void:
            continue
        receiver = people.get(move.receiver)
        new_phone = receiver.phone if receiver and receiver.phone else ""
        text = policy.sms_template.format(
            customer=customer.name or customer.contact or "客户",
            contact=customer.contact or customer.name or "客户",
            old_owner=plan.leaver,
            new_owner=move.receiver,
            new_phone=new_phone,
        )
        kind = phone_kind(customer.phone) if customer.phone else None
        why = (
            message("handover.receiver_phone_missing", r=move.receiver)
            if not new_phone  # the text would give no number: held until 人员 has one
            else None
            if kind == "mobile"
            else message("handover.sms_landline")
            if kind == "landline"
            else message("handover.sms_no_phone")
        )
        out.append(
            {
                "customer_id": customer.customer_id,
                "customer": customer.name,
                "contact": customer.contact,
                "phone": customer.phone or customer.bad.get("phone"),
                "phone_ok": bool(customer.phone),
                "new_owner": move.receiver,
                "new_phone": new_phone,
                "text": text,
                "channel": "phone" if not new_phone else "sms" if kind == "mobile" else "call",
                "why": why,  # why not a text (None: a text goes), in the reader's language
            }
        )
    return out
