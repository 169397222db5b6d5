"""`handover`: a leaver's customers to their receivers, planned, approved, then written."""

from __future__ import annotations

import os

from ..errors import (
    BadHandoverPlan,
    BadOption,
)
from ..messages import render
from ..results import Handover


def handover(
    master: str,
    out: str,
    *,
    leaver: str,
    receivers: list[str],
    plan_only: bool = False,
    plan_path: str | None = None,
    by: str | None = None,
    as_of=None,
    policy_path: str | None = None,
    lang: str = "zh",
) -> Handover:
    """离职交接 (B2): the leaver's customers to the receivers, fairly, with their history.

    ``plan_only`` writes the plan workbook to ``out`` and changes nothing;
    ``plan_path`` applies a plan the manager edited. Otherwise ``out`` is the new
    master (only owners changed, leaver marked 离职, 交接记录 appended) and the
    交接单 with the SMS notices is written beside it.
    """
    import datetime as _dt
    from collections import Counter
    from dataclasses import replace

    from .. import handover as ho
    from .. import schema
    from ..io.master import Outcome, write
    from ..io.write.handover import ID_COL, RECEIVER_COL, read_plan, write_plan, write_record
    from ..policy import compute_obligations
    from ..settings import policy_for_book

    state = _read_master(master)
    book = state.book
    policy = policy_for_book(book, policy_path)
    day = as_of or _dt.date.today()
    by = (by or "").strip() or ho.manager_of(book)
    if not by:  # never the computer's login name (root, Administrator)
        raise BadOption("handover.by_missing", path=master)
    ho.check_template(policy.sms_template)
    open_items = Counter(
        o.customer_id for o in compute_obligations(book, policy, day).open() if o.customer_id
    )
    leaver = leaver.strip()
    if plan_path:
        edited, sheet = read_plan(plan_path)
        if edited.leaver != leaver:
            raise BadHandoverPlan(
                "handover.plan_for_other", plan_leaver=edited.leaver, leaver=leaver, path=plan_path
            )
        plan = ho.make_plan(
            book, leaver, receivers or edited.receivers, as_of or edited.date or day, by, open_items
        )
        edited.receivers = plan.receivers
        ho.check_plan(
            book, edited, where=plan_path, sheet=sheet, receiver_col=RECEIVER_COL, id_col=ID_COL
        )
        proposed = {m.customer_id: m for m in plan.moves}
        plan.moves = [replace(proposed[m.customer_id], receiver=m.receiver) for m in edited.moves]
    else:
        plan = ho.make_plan(book, leaver, receivers, day, by, open_items)
    result = Handover(
        master=master,
        leaver=plan.leaver,
        receivers=plan.receivers,
        date=plan.date,
        by=plan.by,
        moved=len(plan.moves),
        summary=plan.summary(),
        warnings=plan.warnings,
    )
    if plan_only:
        write_plan(
            out,
            plan,
            {c.customer_id: c.phone for c in book.customers},
            lang,
            inputs=[master],
            master=master,
        )
        result.plan = out
        return result
    new = ho.apply_plan(book, plan)
    notices = ho.sms_notices(book, plan, policy)
    record = os.path.splitext(out)[0] + (render("handover.record_file", lang))
    info = book.sheet_info("customers")
    book_lang = (
        "en" if info and info.name == schema.CUSTOMERS.en else "zh"
    )  # the master keeps its language
    # the new master: the old one's sheets carried over, owners changed, 交接记录 grown
    outcome = Outcome(
        new,
        _dt.date.today(),
        conflicts=state.conflicts,
        sources=state.sources,
        pending=[(d, ch) for d, ch, _ok in state.decisions()],
        handovers=ho.log_rows(plan),
    )
    inputs = [master] + ([plan_path] if plan_path else [])
    write(out, outcome, state, lang=book_lang, inputs=inputs)
    write_record(record, plan, notices, lang, inputs=[master, out])
    sms = sum(n["channel"] == "sms" for n in notices)
    calls = sum(n["channel"] == "call" for n in notices)
    result.output, result.record, result.sms, result.calls = out, record, sms, calls
    result.phone_missing = len(notices) - sms - calls
    return result


def _read_master(path: str):
    """The master whole (io/master.read), never one of our own reports."""
    from ..io.filekind import refuse_output
    from ..io.master import read
    from ..io.package import Package

    with Package(path) as package:
        refuse_output(package, "master")
        return read(path, package=package)
