"""`followup-xl demo`: the whole job on the bundled example office, into real workbooks.

Each step is a function taking the run's context and returning what it wrote;
the steps run in order and each prints one line, so a newcomer can follow the
pipeline: staff books → validate → merge → due list → schedule → weekly → report.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..io.read.workbook import read_book
from ..messages import localize, message, render
from . import office as example_office

# the example office's people in the demo's story (example data, as in demo/office.py)
LEAVER, RECEIVERS, MANAGER, EDITOR = "杨磊", ["张伟", "王芳"], "赵刚", "张伟"
# the second week (step 10): a colleague 人员 does not list yet calls one of 张伟's customers and
# types the date without a year; 张伟 puts the company's year-end party in his 节假日 sheet
NEWCOMER, NO_YEAR, PARTY = "周敏", "11月20日", ("2026-12-24", "放假", "公司年会")
VOID = "废除"  # the handover summary's count of void customers (a 状态 value)


@dataclass
class DemoRun:
    out: str
    lang: str = "zh"
    as_of: dt.date = example_office.AS_OF
    staff_books: list[str] = field(default_factory=list)
    staff_customer_rows: int = 0
    master: str | None = None
    written: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def path(self, *parts: str) -> str:
        p = os.path.join(self.out, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def dir(self, name: str) -> str:
        p = os.path.join(self.out, name)
        os.makedirs(p, exist_ok=True)
        return p

    def merged(self) -> str:
        """The master the merge step wrote; the steps after it work on it."""
        if self.master is None:
            raise RuntimeError("the demo's merge step has not run")
        return self.master

    def say(self, msg_id: str, **params) -> None:
        """One line of the summary, in the run's language; every count is the count in the file."""
        self.log.append(render(msg_id, self.lang, **params))


def step_templates(run: DemoRun) -> None:
    from ..io.write.template import write_templates

    paths = write_templates(run.dir("0_空白模板"))
    run.written += paths
    run.say("demo.templates", n=len(paths))


def step_staff_books(run: DemoRun) -> None:
    office = example_office.generate()
    run.staff_books = example_office.write_office(office, run.dir("1_员工工作簿"))
    run.written += run.staff_books
    total_c = total_k = 0
    for p in run.staff_books:
        b = read_book(p)
        total_c += len(b.customers)
        total_k += len(b.calls)
    run.staff_customer_rows = total_c
    run.say("demo.staff_books", books=len(run.staff_books), customers=total_c, calls=total_k)


def step_validate(run: DemoRun) -> None:
    from .. import api

    errors = warnings = 0
    folder = "2_校验结果"
    for path in run.staff_books:
        out = run.path(folder, os.path.basename(path).replace(".xlsx", "_校验.xlsx"))
        res = api.validate(path, out, as_of=run.as_of, lang=run.lang)
        errors += len(res.errors)
        warnings += len(res.warnings)
        run.written.append(out)
    books = len(run.staff_books)
    run.say("demo.validate", books=books, errors=errors, warnings=warnings, folder=folder)


def step_merge(run: DemoRun) -> None:
    """Monday: the manager merges everyone's books into one master; later steps read it."""
    from .. import api

    out = run.path("3_汇总", "客户回访总表.xlsx")
    res = api.merge([run.dir("1_员工工作簿")], out, as_of=run.as_of, lang=run.lang)
    run.master = out
    run.written.append(out)
    rows, conflicts = run.staff_customer_rows, len(res.conflicts)
    again = rows - res.customers
    run.say(
        "demo.merge",
        customers=res.customers,
        rows=rows,
        again=again,
        calls=res.calls,
        conflicts=conflicts,
        sheet=message("master_book.conflicts"),
    )


def step_schedule(run: DemoRun) -> None:
    """Sunday: next week's calls per person, for the manager to approve and sign."""
    from .. import api

    out = run.path("5_排期", "回访排期表.xlsx")
    res = api.schedule(run.master or run.staff_books[0], as_of=run.as_of, out=out, lang=run.lang)
    run.written.append(out)
    plan = res.plan
    calls = len({(i.owner, i.date, i.customer_id) for i in plan.items})  # the 汇总 合计
    customers = len({(i.owner, i.customer_id) for i in plan.items})
    missed = len(plan.unscheduled)
    start, end = plan.week_start.isoformat(), plan.week_end.isoformat()
    run.say(
        "demo.schedule",
        start=start,
        end=end,
        calls=calls,
        customers=customers,
        reasons=len(plan.items),
        missed=missed,
    )


def step_weekly(run: DemoRun) -> None:
    """The summary of the week that ends on the demo's Sunday (handed in on Monday)."""
    from .. import api

    out = run.path("6_周报", "客户回访周报.xlsx")
    w = api.weekly(run.master or run.staff_books[0], out, as_of=run.as_of, lang=run.lang).week
    run.written.append(out)
    calls = sum(r["calls"] for r in w.by_owner)
    start, end, day = w.week_start.isoformat(), w.week_end.isoformat(), w.report_day.isoformat()
    run.say("demo.weekly", start=start, end=end, calls=calls, day=day)


def step_report(run: DemoRun) -> None:
    """The monthly report of the last full month before the demo's today (2026-10)."""
    from .. import api
    from ..report import shift_month

    book = run.master or run.staff_books[0]
    month = shift_month(f"{run.as_of:%Y-%m}", -1)
    out = run.path("7_月报", f"客户回访月报_{month}.xlsx")
    r = api.report(book, out, month=month, mask_phones=True, lang=run.lang).figures
    run.written.append(out)
    figures = ("planned", "done", "done_pct", "successful", "successful_pct")
    run.say(
        "demo.report",
        month=month,
        satisfaction=r["satisfaction_avg"],
        **{k: r[k] for k in figures},
    )


def step_scores(run: DemoRun) -> None:
    """The year's staff scores (电话回访员考核) up to the demo's today."""
    from .. import api

    book = run.master or run.staff_books[0]
    out = run.path("7_月报", f"电话回访员考核_{run.as_of.year}.xlsx")
    s = api.scores(book, out, year=run.as_of.year, as_of=run.as_of, lang=run.lang).figures
    run.written.append(out)
    best = max(
        (p for p in s["staff"] if p["yearly_score"] is not None),
        key=lambda p: p["yearly_score"],
        default=None,
    )
    months = sorted({p["months_worked"] for p in s["staff"]})
    span = f"{months[0]}–{months[-1]}" if len(months) > 1 else f"{months[0] if months else 0}"
    top = message("demo.scores_best", name=best["name"], score=best["yearly_score"]) if best else ""
    run.say("demo.scores", year=run.as_of.year, people=len(s["staff"]), span=span, best=top)


def step_due(run: DemoRun) -> None:
    from .. import api

    source = run.master or run.staff_books[0]
    out = run.path("4_待回访", "待回访清单.xlsx")
    result = api.due(source, out, as_of=run.as_of, lang=run.lang)
    run.written.append(out)
    n = result.counts
    total = len(result.items)
    statuses = ("overdue", "escalate", "due", "upcoming", "missed")
    run.say("demo.due", as_of=run.as_of, total=total, **{k: n[k] for k in statuses})


def step_handover(run: DemoRun) -> None:
    """杨磊 leaves: the plan for approval, then his customers to 张伟 and 王芳; the result becomes the master."""
    from .. import api

    folder = run.dir("8_交接")
    plan = api.handover(
        run.merged(),
        os.path.join(folder, "交接计划_杨磊.xlsx"),
        leaver=LEAVER,
        receivers=RECEIVERS,
        plan_only=True,
        as_of=run.as_of,
        by=MANAGER,
        lang=run.lang,
    )
    result = api.handover(
        run.merged(),
        os.path.join(folder, "客户回访总表_交接后.xlsx"),
        leaver=LEAVER,
        receivers=RECEIVERS,
        as_of=run.as_of,
        by=MANAGER,
        lang=run.lang,
    )
    run.written += [p for p in (plan.plan, result.output, result.record) if p]
    run.master = result.output
    got = render("sep.comma", run.lang).join(
        render(
            "demo.handover_receiver",
            run.lang,
            receiver=r["receiver"],
            received=r["received"],
            a=r["A"],
        )
        for r in result.summary
    )
    void = sum(r[VOID] for r in result.summary)
    run.say(
        "demo.handover",
        leaver=LEAVER,
        moved=result.moved,
        got=got,
        sms=result.sms,
        calls=result.calls,
        void=message("demo.handover_void", void=void) if void else "",
    )


def step_split(run: DemoRun) -> None:
    """The master back into one book per person, as the manager hands them out."""
    from .. import api

    result = api.split(run.merged(), run.dir("9_分发"), as_of=run.as_of, lang=run.lang, macro=True)
    run.written += [b.path for b in result.books]
    run.say("demo.split", books=len(result.books))


def _edit_cell(ws, key_header: str, key: object, header: str, value) -> None:
    """Type ``value`` under ``header`` in the row whose ``key_header`` is ``key`` (a new column if needed)."""
    heads = [c.value for c in ws[1]]
    col = heads.index(header) + 1 if header in heads else len(heads) + 1
    ws.cell(1, col).value = header
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[heads.index(key_header)].value == key)
    ws.cell(row, col).value = value


def _append_row(ws, values: dict) -> None:
    """A row typed under the headers (a new call, a holiday), as staff add one at the bottom."""
    heads = [c.value for c in ws[1]]
    row = max((r[0].row for r in ws.iter_rows(min_row=2) if any(c.value for c in r)), default=1)
    for header, value in values.items():
        ws.cell(row + 1, heads.index(header) + 1).value = value


def step_second_week(run: DemoRun) -> None:
    """A week later: 张伟 edits the book he was sent and sends it back (a call typed by a colleague
    人员 lacks, its date without a year; a company holiday). The merge says what changed, what
    waits for the manager's yes and who joined 人员; the due list says what it read and left out."""
    import shutil

    import openpyxl

    from .. import api, schema
    from ..io.master.changelog import KINDS, STATUSES
    from ..merge import field_label, plain
    from ..split import file_name

    lang = run.lang
    inbox = run.dir(os.path.join("10_第二周", "收件箱"))
    sent = os.path.join(run.out, "9_分发", file_name(EDITOR, lang, macro=True))
    book = shutil.copy(sent, inbox)
    wb = openpyxl.load_workbook(book, keep_vba=True)
    cust, calls = wb[schema.CUSTOMERS.title(lang)], wb[schema.CALLS.title(lang)]
    h = {
        c.key: c.header(lang)
        for c in (*schema.CUSTOMERS.columns, *schema.CALLS.columns, *schema.HOLIDAYS.columns)
    }
    first = cust.cell(2, 1).value
    _edit_cell(cust, h["customer_id"], first, h["phone"], "13912345678")
    _edit_cell(cust, h["customer_id"], first, "微信号", "wx_" + str(first))
    rows = [r for r in calls.iter_rows(min_row=2, values_only=True) if r[0]]
    latest = max(rows, key=lambda r: (r[2] is not None, r[2]))[0]
    _edit_cell(calls, h["record_id"], latest, h["satisfaction"], 5)
    _append_row(
        calls,
        {
            h["record_id"]: "R190001",
            h["customer_id"]: first,
            h["call_date"]: NO_YEAR,
            h["method"]: schema.CALLS.column("method").choice_labels(lang)[0],
            h["call_type"]: schema.CALLS.column("call_type").choice_labels(lang)[0],
            h["caller"]: NEWCOMER,
            h["content"]: render("demo.second_week_call", lang),
        },
    )
    day, _kind, note = PARTY
    off = schema.HOLIDAYS.column("kind").choice_labels(lang)[0]  # 休息日 (staff type 放假)
    _append_row(wb[schema.HOLIDAYS.title(lang)], {h["date"]: day, h["kind"]: off, h["note"]: note})
    wb.save(book)
    out = run.path("10_第二周", "客户回访总表_第二周.xlsx")
    result = api.merge([run.merged(), inbox], out, as_of=run.as_of, lang=lang)
    run.written += [book, out]
    run.master = out
    by_status = {s: sum(ch.status == s for ch in result.changes) for s in STATUSES}
    run.say(
        "demo.second_week",
        who=EDITOR,
        n=by_status["applied"],
        added=by_status["added"],
        held=by_status["pending"],
        sheet=message("changelog.log_sheet"),
        pending=message("changelog.pending_sheet"),
    )
    for ch in result.changes:
        old, new = plain(ch.old), plain(ch.new)
        header = localize(field_label(ch.kind, ch.field), lang) if ch.field else ""
        what = f" {header}: {old if old is not None else ''} → {new if new is not None else ''}"
        run.log.append(
            f"  {KINDS[ch.kind].render(lang)} {ch.id}{what if ch.field else ''}"
            f"  [{STATUSES[ch.status].render(lang)}]"
        )
    if result.staff_added:
        run.say("demo.second_week_staff", n=len(result.staff_added), names=result.staff_added)
    due = api.due(out, run.path("10_第二周", "待回访清单_第二周.xlsx"), as_of=run.as_of, lang=lang)
    run.written.append(due.output or "")
    read = sum(1 for c in api.load(out)[0].calls if c.call_date is None and c.bad.get("call_date"))
    run.say(
        "demo.second_week_due",
        total=len(due.items),
        no_year=read - len(due.excluded),
        excluded=len(due.excluded),
    )


STEPS: list[Callable[[DemoRun], None]] = [
    step_templates,
    step_staff_books,
    step_validate,
    step_merge,
    step_due,
    step_schedule,
    step_weekly,
    step_report,
    step_scores,
    step_handover,
    step_split,
    step_second_week,
]


def run_demo(out: str, lang: str = "zh", echo: Callable[[str], None] | None = None) -> DemoRun:
    os.makedirs(out, exist_ok=True)
    run = DemoRun(out=out, lang=lang)
    for step in STEPS:
        before = len(run.log)
        step(run)
        if echo:
            for line in run.log[before:]:
                echo(line)
    return run
