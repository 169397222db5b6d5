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

from . import example_office
from .io.reader import read_book


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

    def say(self, zh: str, en: str | None = None) -> None:
        """One line of the summary, in the run's language; every count is the count in the file."""
        self.log.append(en if self.lang == "en" and en is not None else zh)


def step_templates(run: DemoRun) -> None:
    from .io.template import write_templates

    paths = write_templates(run.dir("0_空白模板"))
    run.written += paths
    run.say(
        f"空白模板：{len(paths)} 个（.xlsx，及带校验按钮的 .xlsm）",
        f"blank templates: {len(paths)} (.xlsx, and .xlsm with the Validate button)",
    )


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
    run.say(
        f"员工工作簿：{len(run.staff_books)} 本，读回客户 {total_c} 行、回访记录 {total_k} 条",
        f"staff books: {len(run.staff_books)}, read back {total_c} customer rows and {total_k} calls",
    )


def step_validate(run: DemoRun) -> None:
    from . import api

    errors = warnings = 0
    for path in run.staff_books:
        out = run.path("2_校验结果", os.path.basename(path).replace(".xlsx", "_校验.xlsx"))
        res = api.validate(path, run.as_of, annotate_to=out, lang=run.lang)
        errors += len(res.errors)
        warnings += len(res.warnings)
        run.written.append(out)
    run.say(
        f"校验：{len(run.staff_books)} 本工作簿，错误 {errors}，提醒 {warnings}（标注副本见 2_校验结果）",
        f"validate: {len(run.staff_books)} books, {errors} errors, {warnings} warnings (annotated copies in 2_校验结果)",
    )


def step_merge(run: DemoRun) -> None:
    """Monday: the manager merges everyone's books into one master; later steps read it."""
    from . import api

    out = run.path("3_汇总", "客户回访总表.xlsx")
    res = api.merge([run.dir("1_员工工作簿")], out, lang=run.lang, as_of=run.as_of)
    run.master = out
    run.written.append(out)
    rows, conflicts = run.staff_customer_rows, len(res.conflicts)
    again = rows - res.customers
    run.say(
        f"汇总总表：客户 {res.customers} 位（员工工作簿共 {rows} 行，同一客户出现多次的 {again} 行只留一次），"
        f"回访记录 {res.calls} 条，冲突 {conflicts} 条（见 冲突 表）",
        f"master: {res.customers} customers (the staff books hold {rows} rows; {again} repeated rows of the "
        f"same customer kept once), {res.calls} calls, {conflicts} conflicts (see the 冲突 sheet)",
    )


def step_schedule(run: DemoRun) -> None:
    """Sunday: next week's calls per person, for the manager to approve and sign."""
    from . import api

    out = run.path("5_排期", "回访排期表.xlsx")
    res = api.schedule(run.master or run.staff_books[0], as_of=run.as_of, out=out, lang=run.lang)
    run.written.append(out)
    plan = res.plan
    calls = len({(i.owner, i.date, i.customer_id) for i in plan.items})  # the 汇总 合计
    customers = len({(i.owner, i.customer_id) for i in plan.items})
    missed = len(plan.unscheduled)
    start, end = plan.week_start.isoformat(), plan.week_end.isoformat()
    run.say(
        f"排期 {start}–{end}：已排回访 {calls} 次（客户 {customers} 位，"
        f"回访事由 {len(plan.items)} 项），排不下 {missed} 项",
        f"schedule {start}–{end}: {calls} calls planned ({customers} customers, "
        f"{len(plan.items)} reasons), {missed} could not be scheduled",
    )


def step_weekly(run: DemoRun) -> None:
    """The summary of the week that ends on the demo's Sunday (handed in on Monday)."""
    from . import api

    out = run.path("6_周报", "客户回访周报.xlsx")
    w = api.weekly(run.master or run.staff_books[0], run.as_of, out=out, lang=run.lang).week
    run.written.append(out)
    calls = sum(r["calls"] for r in w.by_owner)
    start, end, day = w.week_start.isoformat(), w.week_end.isoformat(), w.report_day.isoformat()
    run.say(
        f"周报 {start}–{end}：回访记录 {calls} 条，报送日 {day}",
        f"weekly {start}–{end}: {calls} calls, due {day}",
    )


def step_report(run: DemoRun) -> None:
    """The monthly report of the last full month before the demo's today (2026-10)."""
    from . import api
    from .report import shift_month

    book = run.master or run.staff_books[0]
    month = shift_month(f"{run.as_of:%Y-%m}", -1)
    out = run.path("7_月报", f"客户回访月报_{month}.xlsx")
    r = api.report(book, month, out=out, mask_phones=True, lang=run.lang).figures
    run.written.append(out)
    run.say(
        f"月报 {month}：应回访 {r['planned']}，实施 {r['done']}（{r['done_pct']}%），"
        f"成功 {r['successful']}（{r['successful_pct']}%），满意度 {r['satisfaction_avg']}；附图表",
        f"report {month}: planned {r['planned']}, done {r['done']} ({r['done_pct']}%), "
        f"successful {r['successful']} ({r['successful_pct']}%), satisfaction {r['satisfaction_avg']}; with charts",
    )


def step_scores(run: DemoRun) -> None:
    """The year's staff scores (电话回访员考核) up to the demo's today."""
    from . import api

    book = run.master or run.staff_books[0]
    out = run.path("7_月报", f"电话回访员考核_{run.as_of.year}.xlsx")
    s = api.scores(book, run.as_of.year, out=out, as_of=run.as_of, lang=run.lang).figures
    run.written.append(out)
    best = max(
        (p for p in s["staff"] if p["yearly_score"] is not None),
        key=lambda p: p["yearly_score"],
        default=None,
    )
    months = sorted({p["months_worked"] for p in s["staff"]})
    span = f"{months[0]}–{months[-1]}" if len(months) > 1 else f"{months[0] if months else 0}"
    run.say(
        f"考核 {run.as_of.year}：{len(s['staff'])} 人，每人按有记录的整月考核 {span} 个月"
        + (f"，最高年度分 {best['name']} {best['yearly_score']:.2f}" if best else ""),
        f"scores {run.as_of.year}: {len(s['staff'])} people, each judged on {span} whole months with records"
        + (f", best yearly score {best['name']} {best['yearly_score']:.2f}" if best else ""),
    )


def step_due(run: DemoRun) -> None:
    from . import api

    source = run.master or run.staff_books[0]
    out = run.path("4_待回访", "待回访清单.xlsx")
    result = api.due(source, run.as_of, out=out, lang=run.lang)
    run.written.append(out)
    n = result.counts
    total = len(result.items)
    run.say(
        f"待回访清单（{run.as_of}）：共 {total} 项，逾期 {n['overdue']}（须上报 {n['escalate']}），"
        f"今天到期 {n['due']}，以后到期 {n['upcoming']}，逾期未办 {n['missed']}",
        f"due list ({run.as_of}): {total} items, {n['overdue']} overdue ({n['escalate']} to escalate), "
        f"{n['due']} due today, {n['upcoming']} upcoming, {n['missed']} missed",
    )


def step_handover(run: DemoRun) -> None:
    """杨磊 leaves: the plan for approval, then his customers to 张伟 and 王芳; the result becomes the master."""
    from . import api

    folder = run.dir("8_交接")
    plan = api.handover(
        run.merged(),
        "杨磊",
        ["张伟", "王芳"],
        os.path.join(folder, "交接计划_杨磊.xlsx"),
        plan_only=True,
        as_of=run.as_of,
        by="赵刚",
        lang=run.lang,
    )
    result = api.handover(
        run.merged(),
        "杨磊",
        ["张伟", "王芳"],
        os.path.join(folder, "客户回访总表_交接后.xlsx"),
        as_of=run.as_of,
        by="赵刚",
        lang=run.lang,
    )
    run.written += [p for p in (plan.plan, result.output, result.record) if p]
    run.master = result.output
    got = "，".join(f"{r['receiver']} {r['received']} 位（A类 {r['A']}）" for r in result.summary)
    got_en = ", ".join(
        f"{r['receiver']} {r['received']} (class A {r['A']})" for r in result.summary
    )
    void = sum(r["废除"] for r in result.summary)
    calls = result.calls
    run.say(
        f"离职交接：杨磊的 {result.moved} 位客户 → {got}；短信通知 {result.sms} 条，需电话告知 {calls} 位（座机）"
        + (f"，已废除的 {void} 位不通知" if void else ""),
        f"hand-over: 杨磊's {result.moved} customers → {got_en}; {result.sms} SMS notices, "
        f"{calls} to inform by phone (landlines)"
        + (f", {void} void customers not notified" if void else ""),
    )


def step_split(run: DemoRun) -> None:
    """The master back into one book per person, as the manager hands them out."""
    from . import api

    result = api.split(run.merged(), run.dir("9_分发"), as_of=run.as_of, lang=run.lang, macro=True)
    run.written += [b.path for b in result.books]
    run.say(
        f"分发：{len(result.books)} 本个人工作簿，各含本人客户、回访记录与待回访清单",
        f"split: {len(result.books)} personal books, each with the person's customers, calls and due list",
    )


def _edit_cell(ws, key_header: str, key: object, header: str, value) -> None:
    """Type ``value`` under ``header`` in the row whose ``key_header`` is ``key`` (a new column if needed)."""
    heads = [c.value for c in ws[1]]
    col = heads.index(header) + 1 if header in heads else len(heads) + 1
    ws.cell(1, col).value = header
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[heads.index(key_header)].value == key)
    ws.cell(row, col).value = value


def step_second_week(run: DemoRun) -> None:
    """A week later: 张伟 edits the book he was sent and sends it back; the merge says what changed and
    keeps it in the master's 修改记录 sheet."""
    import shutil

    import openpyxl

    from . import api, schema
    from .io.changelog import KINDS
    from .merge import plain
    from .split import file_name

    lang = run.lang
    inbox = run.dir(os.path.join("10_第二周", "收件箱"))
    sent = os.path.join(run.out, "9_分发", file_name("张伟", lang, macro=True))
    book = shutil.copy(sent, inbox)
    wb = openpyxl.load_workbook(book, keep_vba=True)
    cust, calls = wb[schema.CUSTOMERS.title(lang)], wb[schema.CALLS.title(lang)]
    h = {c.key: c.header(lang) for c in (*schema.CUSTOMERS.columns, *schema.CALLS.columns)}
    first = cust.cell(2, 1).value
    _edit_cell(cust, h["customer_id"], first, h["phone"], "13912345678")
    _edit_cell(cust, h["customer_id"], first, "微信号", "wx_" + str(first))
    rows = [r for r in calls.iter_rows(min_row=2, values_only=True) if r[0]]
    latest = max(rows, key=lambda r: (r[2] is not None, r[2]))[0]
    _edit_cell(calls, h["record_id"], latest, h["satisfaction"], 5)
    wb.save(book)
    out = run.path("10_第二周", "客户回访总表_第二周.xlsx")
    result = api.merge([run.merged(), inbox], out, as_of=run.as_of, lang=lang)
    run.written += [book, out]
    run.master = out
    run.say(
        f"第二周：张伟交回工作簿，合并采用 {len(result.changes)} 处改动（见总表「修改记录」）：",
        f"second week: 张伟 sends his book back; the merge takes {len(result.changes)} edits (see the master's 修改记录):",
    )
    for ch in result.changes:
        old, new = plain(ch.old), plain(ch.new)
        run.say(
            f"  {KINDS[ch.kind][lang == 'en']} {ch.id} {ch.field}: {old if old is not None else ''} → "
            f"{new if new is not None else ''}  [{ch.status}]"
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
