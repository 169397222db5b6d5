"""The staff book's own formulas: next-call dates and overdue marks any spreadsheet computes.

Excel's WORKDAY cannot express China's make-up working days (调休), but
``WORKDAY.INTL(start, n, "0000000", 非工作日)`` with a list of every non-working day
(weekends that are no make-up day, holidays, the office's own days off) can; with
MAXIFS/MINIFS/COUNTIFS it runs in Excel 2019+, WPS and LibreOffice. The list comes from
the very WorkCalendar the policy counts with (``WorkCalendar.non_working_days``), the
numbers (cadence by class, days per event type) from the book's Policy, baked into the
formulas when the book is written; ``cached()`` gives each formula's value as the
policy computes it, written beside it so a preview that never recalculates is right.

What the formulas follow of policy.rule_routine (P1): the last successful call (or 拒访,
which pauses) from the 建档日期 on, its typed 下次回访日期, a later 改约's agreed date,
the retry after a 未接通, the move to the previous working day. A 改约 or 未接通 logged on
the same day as the last reached call counts as made before it (Python goes by the time).
Event rows give the first follow-up's due date (P2–P7, P13, P14) and whether a call made
it. Dropdown values are matched as the book's language spells them. What formulas cannot
do is listed on the 首页 (formula.without_python) and stays Python's.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from . import schema
from .calendar import WorkCalendar
from .duties import EVENT_DUTIES
from .messages import by_lang, table
from .models import Book, Customer
from .policy import EVENT_RULES, Context, compute_obligations, event_first
from .ruletable import EVENT, HOURS, MONTHS, WORKDAYS, FollowUpRule, RuleTable
from .settings import Policy

CALENDAR_SHEET = by_lang("formula.calendar_sheet")  # 工作日历 (schema.TOOL_SHEETS)
NON_WORKING = by_lang("formula.non_working_name")  # the named range: 非工作日 / NonWorkingDays
STATUS = table("formula.status")  # 逾期 / 今日 / 本周 / 正常 / 已回访 / 已办结


def calendar_span(book: Book | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """This year and next, reaching back to the year of the book's earliest date (a customer
    not called since 2024 is due in 2024: its weekends must be on the list too)."""
    first = today.year
    if book is not None:
        days = [c.created for c in book.customers if c.created]
        days += [k.call_date for k in book.calls if k.call_date]
        days += [e.event_date for e in book.events if e.event_date]
        if days:
            first = min(first, min(days).year)
    return dt.date(first, 1, 1), dt.date(today.year + 1, 12, 31)


def non_working_days(cal: WorkCalendar, book: Book | None, today: dt.date) -> list[dt.date]:
    """The 工作日历 list: every non-working day of the span, from the policy's calendar."""
    return cal.non_working_days(*calendar_span(book, today))


# --- formula text -------------------------------------------------------------------


def _spellings(col: schema.Column, zh: str) -> list[str]:
    """A dropdown value as either language's dropdown offers it: an English book split from a
    Chinese master holds the Chinese values, and staff pick the English ones."""
    for ch in col.choices:
        if ch.zh == zh:
            return list(dict.fromkeys((ch.zh, ch.en)))
    return [zh]


def _is(cell: str, col: schema.Column, *values: str) -> str:
    """``cell`` holds one of ``values`` (Chinese), in either language."""
    return "OR(" + ",".join(f'{cell}="{s}"' for v in values for s in _spellings(col, v)) + ")"


def _not(rng: str, col: schema.Column, *values: str) -> str:
    """*IFS criteria pairs: ``rng`` holds none of ``values``, in either language."""
    return ",".join(f'{rng},"<>{s}"' for v in values for s in _spellings(col, v))


@dataclass(frozen=True)
class Sheetwise:
    """The pieces every formula of a book is made of: the calls Table's columns, dropdown
    values in the book's language, WorkCalendar's arithmetic over the 非工作日 range."""

    lang: str
    policy: Policy

    @property
    def nw(self) -> str:
        return NON_WORKING[self.lang]

    def calls(self, key: str) -> str:
        return f"{schema.CALLS.table}[{schema.CALLS.column(key).header(self.lang)}]"

    def not_results(self, *values: str) -> str:
        """Criteria pairs: the call's 结果 is none of ``values``."""
        return _not(self.calls("result"), schema.CALLS.column("result"), *values)

    def ifs(self, fn: str, head: str, key: str, value: str, tail: str = "") -> str:
        """``fn``(head…, calls[key] = value, tail…) over the value's spellings: COUNTIFS adds
        them up, MAXIFS takes the larger, MINIFS the smaller one that is there (0: none)."""
        col = schema.CALLS.column(key)
        parts = [
            f'{fn}({head},{self.calls(key)},"{_quoted(s)}"{"," + tail if tail else ""})'
            for s in _spellings(col, value)
        ]
        if len(parts) == 1:
            return parts[0]
        if fn == "COUNTIFS":
            return "(" + "+".join(parts) + ")"
        if fn == "MAXIFS":
            return "MAX(" + ",".join(parts) + ")"
        a, b = parts  # MINIFS: 0 when a spelling has no row
        return f"IF(OR({a}=0,{b}=0),MAX({a},{b}),MIN({a},{b}))"

    # working-day arithmetic, exactly as WorkCalendar counts
    def add(self, d: str, n: int) -> str:
        """add_working_days(d, n) for n >= 0."""
        if n == 0:
            return self.on_or_after(d)
        return f'WORKDAY.INTL({d},{n},"0000000",{self.nw})'

    def on_or_after(self, d: str) -> str:
        return f'WORKDAY.INTL({d}-1,1,"0000000",{self.nw})'

    def on_or_before(self, d: str) -> str:
        return f'WORKDAY.INTL({d}+1,-1,"0000000",{self.nw})'

    def due_on(self, due: str, trigger: str) -> str:
        """due_on_working_day: the previous working day, never before the trigger."""
        before = self.on_or_before(due)
        return f"IF({before}<{trigger},{self.on_or_after(trigger)},{before})"

    def within(self, d: str, days: int) -> str:
        """Context.within: calendar days unless the policy counts working days."""
        if self.policy.count_working_days:
            return self.add(d, days)
        return self.due_on(f"({d}+{days})", d)

    def status(self, due: str) -> str:
        s = STATUS[self.lang]
        week_end = "TODAY()-WEEKDAY(TODAY(),2)+7"
        return (
            f'IF({due}<TODAY(),"{s["overdue"]}",IF({due}=TODAY(),"{s["today"]}",'
            f'IF({due}<={week_end},"{s["week"]}","{s["normal"]}")))'
        )


def _letters(sheet: schema.SheetDef) -> dict[str, str]:
    from .models import column_letter

    return {c.key: column_letter(i) for i, c in enumerate((*sheet.columns, *sheet.computed))}


class _Routine:
    """policy.rule_routine's P1 date, step by step, one formula column per step."""

    def __init__(self, lang: str, policy: Policy, row: int) -> None:
        self.f = f = Sheetwise(lang, policy)
        self.policy = policy
        self.col = {k: f"${v}{row}" for k, v in _letters(schema.CUSTOMERS).items()}
        self.dates = f.calls("call_date")
        self.mine = f'{f.calls("customer_id")},{self.col["customer_id"]},{self.dates},"<="&TODAY()'
        self.not_reset = f.not_results("未接通", "改约")

    def routine_from(self) -> str:
        """The anchor: 建档日期, else the first call."""
        created, cid = self.col["created"], self.col["customer_id"]
        return f'=IF({cid}="",0,IF({created}<>"",{created},MINIFS({self.dates},{self.mine})))'

    def routine_last(self) -> str:
        """The last call that restarts the cadence: reached (成功 or blank) or 拒访."""
        anchor = self.col["routine_from"]
        return (
            f'=IF({anchor}=0,0,MAXIFS({self.dates},{self.mine},{self.dates},">="&{anchor},'
            f"{self.not_reset}))"
        )

    def _after(self) -> str:
        last, anchor = self.col["routine_last"], self.col["routine_from"]
        return f"IF({last}=0,{anchor},{last}+1)"

    def routine_resched(self) -> str:
        """The last 改约 (with an agreed date) after it."""
        f = self.f
        head = f'{self.dates},{self.mine},{self.dates},">="&{self._after()}'
        found = f.ifs("MAXIFS", head, "result", "改约", f'{f.calls("next_date")},"<>"')
        return f"=IF({self.col['routine_from']}=0,0,{found})"

    def routine_missed(self) -> str:
        """The first 未接通 after the last reached call and the last 改约 (0: none)."""
        f, resched = self.f, self.col["routine_resched"]
        after = f"IF({resched}>0,{resched}+1,{self._after()})"
        head = f'{self.dates},{self.mine},{self.dates},">="&{after}'
        return f"=IF({self.col['routine_from']}=0,0,{f.ifs('MINIFS', head, 'result', '未接通')})"

    def _refused(self) -> str:
        last = self.col["routine_last"]
        return f"({self.f.ifs('COUNTIFS', f'{self.mine},{self.dates},{last}', 'result', '拒访')}>0)"

    def _typed(self) -> str:
        """The 下次回访日期 typed on the last reached call."""
        return (
            f"MAXIFS({self.f.calls('next_date')},{self.mine},{self.dates},"
            f"{self.col['routine_last']},{self.f.not_results('未接通', '改约', '拒访')})"
        )

    def _every(self) -> str:
        klass = self.col["klass"]
        cadence = self.policy.cadence_days
        default = cadence.get(self.policy.default_class, 30)
        return (
            "IF("
            + ",IF(".join(f'{klass}="{k}",{cadence[k]}' for k in sorted(cadence))
            + f",{default}"
            + ")" * len(cadence)
        )

    def routine_raw(self) -> str:
        """The due date before the move to a working day: the cadence, the typed or agreed
        date, or the retry after a 未接通 when sooner."""
        f, col = self.f, self.col
        last, anchor, resched = col["routine_last"], col["routine_from"], col["routine_resched"]
        every = self._every()
        base = (
            f"IF({last}=0,{anchor}+{every},IF({self._refused()},"
            f"{last}+{self.policy.refusal_pause_days},"
            f"IF({self._typed()}>{last},{self._typed()},{last}+{every})))"
        )
        head = f"{f.calls('next_date')},{self.mine},{self.dates},{resched}"
        agreed = f.ifs("MAXIFS", head, "result", "改约")
        due1 = f"IF({resched}>0,{agreed},{base})"
        missed = col["routine_missed"]
        retry = f.add(missed, self.policy.retry_no_answer_workdays or 1)
        return f"=IF({anchor}=0,0,IF(AND({missed}>0,{retry}<{due1}),{retry},{due1}))"

    def next_routine(self) -> str:
        """The P1 date: a typed or agreed date moves to the next working day, the cadence's
        to the previous one (never before the call it counts from)."""
        f, col = self.f, self.col
        last, anchor, resched = col["routine_last"], col["routine_from"], col["routine_resched"]
        raw = col["routine_raw"]
        trigger = f"IF({last}=0,{anchor},{last})"
        typed = f"OR({resched}>0,AND({last}>0,NOT{self._refused()},{self._typed()}>{last}))"
        moved = f"IF({typed},{f.on_or_after(raw)},{f.due_on(raw, trigger)})"
        skip = _is(col["status"], schema.CUSTOMERS.column("status"), "废除", "停止回访")
        return (
            f'=IF(OR({col["customer_id"]}="",{skip}),"",'
            f"IF({anchor}=0,{f.on_or_after('TODAY()')},{moved}))"
        )


def routine_formula(lang: str, policy: Policy, row: int) -> str:
    if not RuleTable.for_policy(policy).enabled("P1"):  # 启用=否: `due` makes no routine call
        return '=""'
    return _Routine(lang, policy, row).next_routine()


def routine_status_formula(lang: str, policy: Policy, row: int) -> str:
    due = f"${_letters(schema.CUSTOMERS)['next_routine']}{row}"
    return f'=IF({due}="","",{Sheetwise(lang, policy).status(due)})'


def event_due_formula(lang: str, policy: Policy, row: int) -> str:
    """回访事项's 应回访日期 on Excel row ``row`` (policy.event_first_due)."""
    f = Sheetwise(lang, policy)
    col = {k: f"${v}{row}" for k, v in _letters(schema.EVENTS).items()}
    d, kind, level = col["event_date"], col["event_type"], col["proposal_level"]
    types = schema.EVENTS.column("event_type")
    levels = schema.EVENTS.column("proposal_level")
    first = f"DATE(YEAR({d}),MONTH({d})+1,1)"
    proposal = (
        f"IF({_is(level, levels, '副总审批')},{policy.proposal_vp_days},"
        f"IF({_is(level, levels, '重大')},{policy.proposal_major_days},"
        f"{policy.proposal_days}))"
    )
    by_type = {
        "投诉": f.within(d, policy.complaint_days),
        "维修": f.within(d, policy.repair_days),
        "活动": f.within(d, policy.activity_days),
        "成交": f.due_on(f"({first}+{policy.deal_first_week_days - 1})", d),
        "咨询": f.due_on(f"({d}+7-WEEKDAY({d},3))", d),
        "工程": f.due_on(f"({d}+{policy.project_start_days})", d),
        "提案": (
            f'IF({proposal}=0,{f.on_or_after(d)},WORKDAY.INTL({d},{proposal},"0000000",{f.nw}))'
            if policy.count_working_days
            else f.due_on(f"({d}+{proposal})", d)
        ),
        "出差拜访": f.add(d, policy.trip_verify_workdays or 1),
    }
    rules = RuleTable.for_policy(policy)
    for kind_zh, (code, _) in EVENT_DUTIES.items():  # 入伙, 突发事件: their 回访规则 rows
        by_type[kind_zh] = _row_due(f, d, rules.get(code).offset or 0, rules.get(code).unit)
    for kind_zh, (code, _) in {**EVENT_RULES, **EVENT_DUTIES}.items():
        if not rules.enabled(code):  # 启用=否: no follow-up to date (policy.event_first_due)
            by_type[kind_zh] = '""'
    # a complaint answered by letter only (复函=是) is not called: P24 tracks the letter
    letter = _is(col["reply_only"], schema.EVENTS.column("reply_only"), "是")
    by_type["投诉"] = f'IF({letter},"",{by_type["投诉"]})'
    chain = '""'
    for etype, rows in reversed(list(_office_types(rules).items())):  # 安装: typed text
        first = '""'  # the first row that applies to the customer's class (event_first_due)
        for rule in reversed(rows):
            due = _row_due(f, d, rule.offset or 0, rule.unit)
            first = f"IF({_of_class(f, col['customer_id'], rule)},{due},{first})"
        chain = f'IF({kind}="{_quoted(etype)}",{first},{chain})'
    for zh, expr in reversed(list(by_type.items())):
        chain = f"IF({_is(kind, types, zh)},{expr},{chain})"
    anonymous = _is(col["anonymous"], schema.EVENTS.column("anonymous"), "是")
    cust = schema.CUSTOMERS
    state = f"{cust.table}[{cust.column('status').header(lang)}]"
    kept = (  # a customer of this book who may be called (policy.compute_obligations)
        f"COUNTIFS({cust.table}[{cust.column('customer_id').header(lang)}],{col['customer_id']},"
        + _not(state, cust.column("status"), "废除", "停止回访")
        + ")"
    )
    return f'=IF(OR({d}="",{anonymous},{kept}=0),"",{chain})'


def _office_types(rules: RuleTable) -> dict[str, list[FollowUpRule]]:
    """An office's own 事项类型 (安装) → its 回访规则 rows, in table order (a built-in type keeps
    its built-in rule's date)."""
    out: dict[str, list[FollowUpRule]] = {}
    for rule in rules.custom():
        value = rule.trigger_value
        if (
            rule.trigger == EVENT
            and value
            and value not in EVENT_RULES
            and value not in EVENT_DUTIES
        ):
            out.setdefault(value, []).append(rule)
    return out


def _of_class(f: Sheetwise, customer: str, rule: FollowUpRule) -> str:
    """The customer ``customer`` (a cell) is of one of the row's 客户类别 (a blank class is the
    policy's default class, as custom_rules reads it); TRUE when the row names none."""
    if not rule.classes:
        return "TRUE"
    cust = schema.CUSTOMERS
    ids = f"{cust.table}[{cust.column('customer_id').header(f.lang)}]"
    klass = f"{cust.table}[{cust.column('klass').header(f.lang)}]"
    if f.policy.default_class in rule.classes:  # blank counts: rule out the other classes
        others = [k for k in f.policy.cadence_days if k not in rule.classes]
        return f"COUNTIFS({ids},{customer}" + "".join(f',{klass},"<>{k}"' for k in others) + ")>0"
    counts = "+".join(f'COUNTIFS({ids},{customer},{klass},"{_quoted(k)}")' for k in rule.classes)
    return f"({counts})>0"


def _quoted(text: str) -> str:
    """Text as a formula's string literal holds it (an office's own type may hold a quote)."""
    return text.replace('"', '""')


def _row_due(f: Sheetwise, d: str, n: int, unit: str) -> str:
    """ruletable.due_after(d, n, unit) as a formula."""
    if unit == WORKDAYS:
        return f.add(d, n)
    if unit == HOURS:
        return f.add(d, -(-n // 24))
    if unit == MONTHS:
        return f.due_on(f"EDATE({d},{n})", d)
    return f.due_on(f"({d}+{n})", d)


def event_status_formula(lang: str, policy: Policy, row: int) -> str:
    """已办结 when closed or withdrawn; 已回访 when a successful call made the (first) follow-up;
    else how near its due date is."""
    f = Sheetwise(lang, policy)
    col = {k: f"${v}{row}" for k, v in _letters(schema.EVENTS).items()}
    s = STATUS[lang]
    status = schema.EVENTS.column("status")
    closed = _is(col["status"], status, "已办结", "已撤销")
    success = f.not_results("未接通", "改约", "拒访")
    dates = f.calls("call_date")
    window = f'{dates},">="&{col["event_date"]},{dates},"<="&TODAY()'
    types = schema.EVENTS.column("event_type")
    head = f"{f.calls('customer_id')},{col['customer_id']},{window}"
    per_type = "0"
    for etype, rows in reversed(list(_office_types(RuleTable.for_policy(policy)).items())):
        first = "0"  # the row that dates it (event_due_formula): its 回访类型, else any call
        for rule in reversed(rows):
            n = (
                "("
                + "+".join(
                    f.ifs("COUNTIFS", head, "call_type", t, success) for t in rule.call_types
                )
                + ")"
                if rule.call_types
                else f"COUNTIFS({head},{success})"
            )
            first = f"IF({_of_class(f, col['customer_id'], rule)},{n},{first})"
        per_type = f'IF({col["event_type"]}="{_quoted(etype)}",{first},{per_type})'
    for zh, (_, ts) in reversed(list({**EVENT_RULES, **EVENT_DUTIES}.items())):
        n = f.ifs("COUNTIFS", head, "call_type", ts[0], success)
        per_type = f"IF({_is(col['event_type'], types, zh)},{n},{per_type})"
    named = (
        f'IF(AND({col["event_id"]}<>"",NOT({_is(col["event_type"], types, "工程")})),'
        f"COUNTIFS({f.calls('event_id')},{col['event_id']},{window},{success}),0)"
    )
    due = col["follow_up_due"]
    return (
        f'=IF({due}="","",IF(OR({closed}),"{s["closed"]}",'
        f'IF({per_type}+{named}>0,"{s["done"]}",{f.status(due)})))'
    )


FORMULAS = {
    "next_routine": routine_formula,
    "routine_from": lambda lang, policy, row: _Routine(lang, policy, row).routine_from(),
    "routine_last": lambda lang, policy, row: _Routine(lang, policy, row).routine_last(),
    "routine_resched": lambda lang, policy, row: _Routine(lang, policy, row).routine_resched(),
    "routine_missed": lambda lang, policy, row: _Routine(lang, policy, row).routine_missed(),
    "routine_raw": lambda lang, policy, row: _Routine(lang, policy, row).routine_raw(),
    "routine_status": routine_status_formula,
    "follow_up_due": event_due_formula,
    "follow_up_status": event_status_formula,
}


def formula(key: str, lang: str, policy: Policy, row: int) -> str:
    """The formula of computed column ``key`` on Excel row ``row``, as a file stores it: the
    functions newer than Excel 2007 carry their ``_xlfn.`` prefix (without it Excel and
    LibreOffice read MAXIFS as an unknown name)."""
    return _template(key, lang, policy.model_dump_json()).replace(_ROW, str(row))


_ROW = "1048577"  # a row number no sheet has: made once per column, then the row put in


@functools.lru_cache(maxsize=64)
def _template(key: str, lang: str, policy_json: str) -> str:
    text = FORMULAS[key](lang, Policy.model_validate_json(policy_json), int(_ROW))
    for name in NEWER_FUNCTIONS:
        text = text.replace(f"{name}(", f"_xlfn.{name}(")
    return text


NEWER_FUNCTIONS = ("MAXIFS", "MINIFS")


# --- the values, as the policy computes them ----------------------------------------


def status_of(due: dt.date | None, today: dt.date) -> str | None:
    """逾期 / 今日 / 本周 / 正常 as a key of STATUS (what Sheetwise.status gives)."""
    if due is None:
        return None
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    if due <= today + dt.timedelta(days=6 - today.weekday()):
        return "week"
    return "normal"


@dataclass
class Cached:
    """Each computed column's value per row, computed in Python by the policy."""

    customers: list[dict[str, object]]
    events: list[dict[str, object]]


def cached(book: Book, policy: Policy, cal: WorkCalendar, today: dt.date, lang: str) -> Cached:
    """What every formula of ``book`` gives on ``today``: the P1 due date compute_obligations
    gives each customer, each event's first follow-up date and whether a call made it."""
    result = compute_obligations(book, policy, today, cal)
    routine: dict[str, dt.date] = {}
    made: dict[tuple[str, str, str], bool] = {}  # (customer, event, rule) → a call made it
    for o in result.obligations:
        if o.rule == "P1" and o.is_open:
            routine.setdefault(o.customer_id, o.due_date)
        if o.event_id and o.rule != "P1":
            key = (o.customer_id, o.event_id, o.rule)
            if key not in made or o.call_types[:1] == ("工程开工",):
                made[key] = not o.is_open
    s = STATUS[lang]
    calls: dict[str, list] = {}
    for k in book.calls:
        if k.customer_id and k.call_date and k.call_date <= today:
            calls.setdefault(k.customer_id, []).append(k)
    customers: list[dict[str, object]] = []
    for c in book.customers:
        due = routine.get(c.customer_id or "") if _routine_kept(c) else None
        st = status_of(due, today)
        steps = _steps(c, calls.get(c.customer_id or "", []), policy, cal)
        customers.append({"next_routine": due, "routine_status": s[st] if st else None, **steps})
    ctx = Context(policy, cal, today)
    kept = {c.customer_id: c.klass for c in book.customers if _routine_kept(c)}
    events: list[dict[str, object]] = []
    for e in book.events:
        due, rule = (
            event_first(ctx, e, kept[e.customer_id]) if e.customer_id in kept else (None, "")
        )
        if due is None:
            events.append({"follow_up_due": None, "follow_up_status": None})
            continue
        if e.is_closed:
            st = "closed"
        elif made.get((e.customer_id or "", e.event_id or "", rule)):
            st = "done"
        else:
            st = status_of(due, today) or "normal"
        events.append({"follow_up_due": due, "follow_up_status": s[st]})
    return Cached(customers, events)


def _steps(c: Customer, calls: list, policy: Policy, cal: WorkCalendar) -> dict[str, object]:
    """The hidden step columns' values (_Routine), as their formulas give them."""
    anchor = c.created or min((k.call_date for k in calls), default=None)
    if anchor is None or not c.customer_id:
        return dict.fromkeys(STEPS, 0)
    late = [k for k in calls if k.call_date >= anchor]
    resets = [k for k in late if k.result not in ("未接通", "改约")]
    last = max((k.call_date for k in resets), default=None)
    after = anchor if last is None else last + dt.timedelta(days=1)
    moved = [k for k in late if k.result == "改约" and k.next_date and k.call_date >= after]
    resched = max((k.call_date for k in moved), default=None)
    every = policy.cadence_days.get(c.klass or "", policy.cadence_days[policy.default_class])
    if last is None:
        base = anchor + dt.timedelta(days=every)
    elif any(k.call_date == last and k.result == "拒访" for k in late):
        base = last + dt.timedelta(days=policy.refusal_pause_days)
    else:
        typed = max(
            (
                k.next_date
                for k in resets
                if k.call_date == last and k.result != "拒访" and k.next_date
            ),
            default=None,
        )
        base = typed if typed and typed > last else last + dt.timedelta(days=every)
    due = base
    if resched is not None:
        due = max(k.next_date for k in moved if k.call_date == resched)
    start = resched + dt.timedelta(days=1) if resched else after
    missed = min(
        (k.call_date for k in late if k.result == "未接通" and k.call_date >= start), default=None
    )
    if missed is not None:
        retry = cal.add_working_days(missed, policy.retry_no_answer_workdays or 1)
        due = min(due, retry)
    return {
        "routine_from": anchor,
        "routine_last": last or 0,
        "routine_resched": resched or 0,
        "routine_missed": missed or 0,
        "routine_raw": due,
    }


STEPS = ("routine_from", "routine_last", "routine_resched", "routine_missed", "routine_raw")


def _routine_kept(c: Customer) -> bool:
    return bool(c.customer_id) and not c.is_void and not c.do_not_call


def computed_cells(
    sheet: schema.SheetDef, lang: str, policy: Policy, rows: Iterable[dict], first_row: int = 2
) -> list[list[tuple[str, object]]]:
    """Per data row, (formula, cached value) of each computed column, in order."""
    out = []
    for i, values in enumerate(rows):
        out.append(
            [
                (formula(c.key, lang, policy, first_row + i), values.get(c.key))
                for c in sheet.computed
            ]
        )
    return out
