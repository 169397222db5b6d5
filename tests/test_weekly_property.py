"""Several weeks of an office, as generated edit scripts: after every week the master equals the intended
state and the change log lists exactly the edits (hypothesis over the scripts; the pure merge)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup_xl import schema
from followup_xl.merge import Change, merge_books
from followup_xl.models import Book, Call, Customer, SheetInfo, Source
from followup_xl.normalize import mask_phone, parser_for
from followup_xl.split import split_book

OWNERS = ("张伟", "王芳", "李娜")
DAY0 = dt.date(2026, 3, 2)
LOCK = 30


def parse(key, field, value):
    return parser_for(schema.BY_KEY[key].column(field))(value)


def start() -> Book:
    customers, calls = [], []
    for o, owner in enumerate(OWNERS):
        for n in range(3):
            cid = f"K{o}{n}"
            src = Source(file=f"{owner}.xlsx")  # the first merge: every row from its owner's book
            customers.append(
                Customer.build(
                    src,
                    {},
                    {},
                    dict(
                        customer_id=cid,
                        name=f"客户{cid}",
                        phone=f"1380000{o}{n:04d}",
                        klass="B",
                        owner=owner,
                    ),
                )
            )
            calls.append(
                Call.build(
                    src,
                    {},
                    {},
                    dict(
                        record_id=f"R{cid}",
                        customer_id=cid,
                        call_date=DAY0 - dt.timedelta(days=n),
                        method="电话",
                        call_type="例行",
                        caller=owner,
                        content=f"首次回访{cid}",
                        result="成功",
                        reviewer="赵刚" if n == 2 else None,
                    ),
                )
            )
    return Book("master", customers=customers, calls=calls)


OPS = (
    "phone",
    "class",
    "wechat",
    "call_result",
    "reviewed_call",
    "add_call",
    "delete_call",
    "reassign",
    "foreign",
    "masked",
)
op_strategy = st.tuples(
    st.sampled_from(OPS),
    st.integers(0, len(OWNERS) - 1),
    st.integers(0, 2),
    st.integers(0, len(OWNERS) - 1),
)
week_strategy = st.tuples(
    st.lists(op_strategy, max_size=6, unique_by=lambda op: (op[1], op[2])),
    st.lists(st.sampled_from([True, False, None]), min_size=12, max_size=12),
)


def _set(records, i, **values):
    r = records[i]
    records[i] = type(r).build(
        r.src,
        dict(r.bad),
        {**r.extra, **values.pop("extra", {})},
        {**{k: getattr(r, k) for k in r.SHEET.keys}, **values},
    )


def _as_read(book: Book, label: str) -> Book:
    """A split book as the reader returns it: every row from that file."""
    for key in ("customers", "calls"):
        setattr(
            book,
            key,
            [
                type(r).build(
                    Source(file=label, sheet=r.SHEET.zh, row=n),
                    dict(r.bad),
                    dict(r.extra),
                    {k: getattr(r, k) for k in r.SHEET.keys},
                )
                for n, r in enumerate(book.records(key), start=2)
            ],
        )
    return book


def _with_sheets(book: Book) -> Book:
    """The sheets the reader would list for the book: each keeps its header line (our columns and
    the office's own) even when every row was deleted, so an empty sheet still says "all gone"."""
    for key in ("customers", "calls"):
        sheet = schema.BY_KEY[key]
        extras = list(dict.fromkeys(h for r in book.records(key) for h in r.extra))
        book.sheets[key] = [
            SheetInfo(
                key,
                sheet.zh,
                1,
                {k: j for j, k in enumerate(sheet.keys)},
                {k: sheet.column(k).zh for k in sheet.keys},
                extra_columns={h: len(sheet.keys) + j for j, h in enumerate(extras)},
                rows_read=len(book.records(key)),
            )
        ]
    return book


def _state(book: Book) -> tuple:
    return (
        sorted(
            (c.customer_id, tuple(c.raw(k) for k in c.SHEET.keys), tuple(sorted(c.extra.items())))
            for c in book.customers
        ),
        sorted((k.record_id, tuple(k.raw(f) for f in k.SHEET.keys)) for k in book.calls),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(week_strategy, min_size=2, max_size=4))
def test_weeks_of_edits(weeks):
    master = start()
    history: list[Change] = []
    pending: list[Change] = []
    deleted: set[str] = set()
    gone: set[str] = set()  # deletions the manager agreed to
    for w, (ops, answers) in enumerate(weeks):
        day = DAY0 + dt.timedelta(days=7 * (w + 1))
        intended = Book("intended", customers=list(master.customers), calls=list(master.calls))
        expected: set[tuple] = set()
        # the manager's answers on last week's pending edits
        decisions = list(zip(pending, answers))
        for ch, ok in decisions:
            if ok is None:
                continue
            if ok and ch.id not in {k.record_id for k in intended.calls}:
                continue  # its row left the master (a deletion agreed to): nothing to approve
            expected.add((ch.kind, ch.id, ch.field, "approved" if ok else "refused"))
            if ok and ch.field == "":  # a deletion agreed to: the row leaves the master for good
                intended.calls = [k for k in intended.calls if k.record_id != ch.id]
                gone.add(ch.id)
            elif ok:
                i = [k.record_id for k in intended.calls].index(ch.id)
                _set(intended.calls, i, content=ch.new)
        books = {who: _as_read(b, f"{who}.xlsx") for who, b in split_book(master).items()}
        owner_of = {c.customer_id: c.owner for c in master.customers}
        for op, o, n, other in ops:
            owner, cid = OWNERS[o], f"K{o}{n}"
            if (
                owner_of.get(cid) != owner
            ):  # reassigned in an earlier week: the script targets its owner
                owner = owner_of[cid] or owner
            book = books[owner]
            ci = [c.customer_id for c in book.customers].index(cid)
            ii = [c.customer_id for c in intended.customers].index(cid)
            calls = [k.record_id for k in book.calls]
            rid = f"R{cid}"
            if rid in gone and op in ("call_result", "reviewed_call", "delete_call"):
                continue  # the book still has the row (sent before the yes); the merge drops it
            if op == "phone":
                new = f"1390000{w}{o}{n:03d}"
                _set(book.customers, ci, phone=new)
                _set(intended.customers, ii, phone=new)
                expected.add(("customer", cid, "联系电话", "applied"))
            elif op == "class":
                new = "A" if book.customers[ci].klass != "A" else "C"
                _set(book.customers, ci, klass=new)
                _set(intended.customers, ii, klass=new)
                expected.add(("customer", cid, "客户类别", "applied"))
            elif op == "wechat":
                _set(book.customers, ci, extra={"微信号": f"wx{w}{cid}"})
                _set(intended.customers, ii, extra={"微信号": f"wx{w}{cid}"})
                expected.add(("customer", cid, "微信号", "applied"))
            elif op in ("call_result", "reviewed_call") and rid in calls:
                k = book.calls[calls.index(rid)]
                new = f"第{w}周更正{cid}"
                _set(book.calls, calls.index(rid), content=new)
                locked = k.reviewer or (day - k.call_date).days > LOCK
                if locked:  # a new value: a new pending edit (an older one still waits beside it)
                    expected.add(("call", rid, "回访内容", "pending"))
                else:
                    _set(
                        intended.calls,
                        [x.record_id for x in intended.calls].index(rid),
                        content=new,
                    )
                    expected.add(("call", rid, "回访内容", "applied"))
            elif op == "add_call":
                new_id = f"N{w}{cid}"
                k = Call.build(
                    Source(file=f"{owner}.xlsx"),
                    {},
                    {},
                    dict(
                        record_id=new_id,
                        customer_id=cid,
                        call_date=day,
                        method="电话",
                        call_type="例行",
                        caller=owner,
                        content="新回访",
                        result="成功",
                    ),
                )
                book.calls.append(k)
                intended.calls.append(k)
                expected.add(("call", new_id, "", "added"))
            elif op == "delete_call" and rid in calls and rid not in deleted:
                book.calls.pop(calls.index(rid))
                deleted.add(rid)
                src = next(k.src.file for k in master.calls if k.record_id == rid)
                if (
                    src == f"{owner}.xlsx"
                ):  # a row received by reassignment counts once the book sent it back
                    expected.add(("call", rid, "", "pending"))  # waits for the manager's yes
            elif op == "reassign" and OWNERS[other] != owner:
                _set(book.customers, ci, owner=OWNERS[other])
                _set(intended.customers, ii, owner=OWNERS[other])
                expected.add(("customer", cid, "负责人", "applied"))
            elif op == "foreign" and OWNERS[other] != owner:
                stranger = books[OWNERS[other]]
                c = book.customers[ci]
                stranger.customers.append(
                    type(c).build(None, {}, {}, {**c.values(), "name": "别人改的名字"})
                )
            elif op == "masked":
                _set(book.customers, ci, phone=mask_phone(book.customers[ci].phone))
        labels = [("master", master)] + [
            (f"{who}.xlsx", _with_sheets(b)) for who, b in books.items()
        ]
        stamped = {f"{who}.xlsx": who for who in books}  # split stamps each book with its owner
        result = merge_books(
            labels,
            {"master"},
            as_of=day,
            lock_days=LOCK,
            decisions=decisions,
            history=history,
            parse=parse,
            owners=stamped,
        )
        got = {(c.kind, c.id, c.field, c.status) for c in result.changes}
        assert got == expected, (w, ops)
        assert _state(result.book) == _state(intended), (w, ops)
        assert all(c.kind == "not_owner" or c.kind == "phone" for c in result.conflicts)
        # merging the same inputs again applies nothing twice
        again = merge_books(
            [("master", result.book), *labels[1:]],
            {"master"},
            as_of=day,
            lock_days=LOCK,
            decisions=[(c, None) for c in result.pending],
            history=history + result.changes,
            parse=parse,
            owners=stamped,
        )
        assert [c for c in again.changes if c.status != "pending"] == [] and _state(
            again.book
        ) == _state(intended)
        assert {c.key() for c in again.pending} == {c.key() for c in result.pending}
        history += result.changes
        pending = result.pending[:12]
        master = result.book
