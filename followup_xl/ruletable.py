"""The follow-up rules as a table (回访规则): one row per rule, so the office sees and tunes them.

Each row says what starts a follow-up (an event type, a customer date, a call, a festival),
how long after it the follow-up is due, how long it stays worth doing, who makes it, how,
the coverage target and whether it is a hard deadline. P1–P24 are rows whose dating the
code knows (``builtin``); an office adds its own rows (安装 → 3 个工作日) which the generic
engine dates from the row alone. Plain data: no Excel, no terminal.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from . import schema
from .errors import BadPolicy

# 触发 (what starts it) — canonical Chinese values, in schema.RULE_TRIGGERS' order
CADENCE, EVENT, CUSTOMER_DATE, CALL, FESTIVAL, STAFF, BUILTIN = (c.zh for c in schema.RULE_TRIGGERS)
# CADENCE: P1, every N days by class; EVENT: a 回访事项 row of the type in 触发值; CUSTOMER_DATE: a
# date on the customer book (生日, 保修到期日…); CALL: a call (问题未解决, 上门…); FESTIVAL: a festival
# of the calendar; STAFF: per salesperson (P12); BUILTIN: a rule on how the others are made (P10, P11)
TRIGGERS = tuple(c.zh for c in schema.RULE_TRIGGERS)
# the triggers the generic engine (custom_rules.py) dates from a row alone
GENERIC_TRIGGERS = (EVENT, CUSTOMER_DATE, CALL)

# 单位 of 期限
WORKDAYS, DAYS, HOURS, MONTHS = (c.zh for c in schema.RULE_UNITS)
UNITS = tuple(c.zh for c in schema.RULE_UNITS)

# 回访人
OWNER, BY_GRADE, HEAD, MANAGER, CALLER, VERIFIER = (c.zh for c in schema.RULE_CALLERS)
CALLERS = tuple(c.zh for c in schema.RULE_CALLERS)

# 方式
PHONE, VISIT, SMS, REPORT, LETTER = (c.zh for c in schema.RULE_METHODS)
METHODS = tuple(c.zh for c in schema.RULE_METHODS)


def due_after(cal, d: dt.date, offset: int | None, unit: str) -> dt.date:
    """A row's 期限 after ``d``, on a working day, the way the built-in rules date: N 工作日 is the
    N-th working day after (0: ``d`` or the next working day); N 天 and N 月 move a day off to the
    previous working day, never before ``d``; N 小时 is ceil(N/24) working days (24 小时 → the
    next working day). ``cal`` is a WorkCalendar."""
    from .calendar import add_months

    n = offset or 0
    if unit == WORKDAYS:
        return cal.add_working_days(d, n)
    if unit == HOURS:
        return cal.add_working_days(d, -(-n // 24))
    if unit == MONTHS:
        return cal.due_on_working_day(add_months(d, n), d)
    return cal.due_on_working_day(d + dt.timedelta(days=n), d)


@dataclass(frozen=True)
class FollowUpRule:
    """One row of 回访规则. ``offset`` None: the rule's own dating (see its 说明)."""

    code: str  # P1…P24, or the office's own (X1, 安装回访…)
    name: str
    trigger: str  # one of TRIGGERS
    trigger_value: str = ""  # 投诉 / 生日 / 未解决 / 春节,中秋节 / A=7,B=14,C=30
    offset: int | None = None
    unit: str = DAYS
    repeat_months: int | None = None  # recurring: 12 = every year (生日), 3 = quarterly spot checks
    window_workdays: int | None = None  # 有效期: missed after this many working days; None never
    caller: str = OWNER
    method: str = PHONE
    target_pct: float | None = None  # coverage target (P2 50 %, P3 30 %…)
    hard: bool = False  # a hard deadline: scheduled before routine cadence (P11)
    call_types: tuple[str, ...] = ()  # 回访类型 values that satisfy it
    classes: tuple[str, ...] = ()  # 客户类别 it applies to; empty: all
    enabled: bool = True
    builtin: bool = True  # dated by code (P1–P24); False: by the generic engine from the row
    note: str = ""  # 说明

    def with_(self, **changes) -> FollowUpRule:
        return replace(self, **changes)


def default_rules(policy) -> tuple[FollowUpRule, ...]:
    """P1–P24 as the policy's numbers set them (the 规则 sheet's settings feed P1–P15)."""
    p = policy
    lapse = p.lapse_workdays
    cadence = ",".join(f"{k}={v}" for k, v in p.cadence_days.items())
    return (
        FollowUpRule("P1", "例行回访", CADENCE, cadence, None, DAYS, call_types=("例行",)),
        FollowUpRule(
            "P2",
            "投诉处理后回访",
            EVENT,
            "投诉",
            p.complaint_days,
            WORKDAYS if p.count_working_days else DAYS,
            caller=BY_GRADE,
            target_pct=p.complaint_coverage_pct,
            hard=True,
            call_types=("投诉",),
        ),
        FollowUpRule(
            "P3",
            "维修后回访",
            EVENT,
            "维修",
            p.repair_days,
            WORKDAYS if p.count_working_days else DAYS,
            window_workdays=lapse.get("P3"),
            target_pct=p.repair_coverage_pct,
            hard=True,
            call_types=("维修",),
        ),
        FollowUpRule(
            "P4",
            "活动后回访",
            EVENT,
            "活动",
            p.activity_days,
            WORKDAYS if p.count_working_days else DAYS,
            window_workdays=lapse.get("P4"),
            target_pct=p.activity_coverage_pct,
            hard=True,
            call_types=("活动",),
        ),
        FollowUpRule(
            "P5",
            "成交次月第一周回访",
            EVENT,
            "成交",
            p.deal_first_week_days,
            DAYS,
            window_workdays=lapse.get("P5"),
            hard=True,
            call_types=("成交",),
            note="次月1日起的天数内",
        ),
        FollowUpRule(
            "P6",
            "技术咨询回访",
            EVENT,
            "咨询",
            None,
            DAYS,
            window_workdays=lapse.get("P6"),
            hard=True,
            call_types=("咨询",),
            note="下周一",
        ),
        FollowUpRule(
            "P7",
            "工程回访",
            EVENT,
            "工程",
            p.project_start_days,
            DAYS,
            window_workdays=lapse.get("P7"),
            target_pct=100,
            hard=True,
            call_types=("工程开工", "工程中期", "工程竣工"),
            note="开工后、中期、竣工各一次",
        ),
        FollowUpRule(
            "P8",
            "无成交回访",
            CUSTOMER_DATE,
            "最近成交日期",
            p.no_deal_months,
            MONTHS,
            call_types=("例行", "无成交回访"),
        ),
        FollowUpRule(
            "P9",
            "问题未解决再回访",
            CALL,
            "未解决",
            p.unresolved_issue_workdays,
            WORKDAYS,
            hard=True,
        ),
        FollowUpRule("P10", "废除客户与匿名投诉不回访", BUILTIN, "", None, DAYS),
        FollowUpRule("P11", "手填下次回访日期优先于例行", BUILTIN, "", None, DAYS),
        FollowUpRule(
            "P12",
            "每周约访",
            STAFF,
            str(p.appointments_per_week),
            None,
            DAYS,
            call_types=("约访",),
            method=VISIT,
        ),
        FollowUpRule(
            "P13",
            "提案反馈",
            EVENT,
            "提案",
            p.proposal_days,
            WORKDAYS if p.count_working_days else DAYS,
            window_workdays=lapse.get("P13"),
            hard=True,
            call_types=("提案反馈",),
        ),
        FollowUpRule(
            "P14",
            "出差回来次日核实",
            EVENT,
            "出差拜访",
            p.trip_verify_workdays,
            WORKDAYS,
            window_workdays=lapse.get("P14"),
            hard=True,
            call_types=("出差核实",),
        ),
        FollowUpRule(
            "P15",
            "客户资料核实",
            CUSTOMER_DATE,
            "核实日期",
            p.verification_period_days,
            DAYS,
            caller=VERIFIER,
            method=REPORT,
        ),
        FollowUpRule(
            "P16",
            "重大节日拜访",
            FESTIVAL,
            "春节,中秋节",
            0,
            WORKDAYS,
            window_workdays=0,
            caller=MANAGER,
            method=VISIT,
            call_types=("节日",),
            classes=("A",),
            note="节前最后一个工作日前完成",
        ),
        FollowUpRule(
            "P16S",
            "节日问候短信",
            FESTIVAL,
            "春节,中秋节,国庆节,元旦",
            0,
            WORKDAYS,
            window_workdays=0,
            method=SMS,
            call_types=("节日",),
        ),
        FollowUpRule(
            "P16B",
            "生日问候短信",
            CUSTOMER_DATE,
            "生日",
            0,
            DAYS,
            repeat_months=12,
            window_workdays=0,
            method=SMS,
            call_types=("生日问候",),
        ),
        FollowUpRule(
            "P17",
            "入伙回访",
            EVENT,
            "入伙",
            7,
            DAYS,
            window_workdays=10,
            hard=True,
            call_types=("入伙",),
        ),
        FollowUpRule(
            "P18",
            "突发事件处理后回访",
            EVENT,
            "突发事件",
            1,
            WORKDAYS,
            window_workdays=5,
            hard=True,
            call_types=("突发事件",),
        ),
        FollowUpRule(
            "P19",
            "上门回访后填回访报告表",
            CALL,
            "上门",
            1,
            WORKDAYS,
            window_workdays=5,
            caller=CALLER,
            method=REPORT,
        ),
        FollowUpRule(
            "P20",
            "问题当日报告部门主管",
            CALL,
            "客户反映问题",
            0,
            WORKDAYS,
            window_workdays=5,
            caller=CALLER,
            method=REPORT,
            hard=True,
        ),
        FollowUpRule(
            "P21",
            "保修期内电话抽查",
            CUSTOMER_DATE,
            "保修到期日",
            3,
            MONTHS,
            repeat_months=3,
            call_types=("保修抽查",),
        ),
        FollowUpRule(
            "P22",
            "保修期满无意见反馈表再回访",
            EVENT,
            "工程",
            1,
            WORKDAYS,
            window_workdays=10,
            hard=True,
            call_types=("反馈表回访",),
            note="结果当日报总经办",
        ),
        FollowUpRule(
            "P23",
            "购买后24小时内联系",
            EVENT,
            "成交",
            24,
            HOURS,
            window_workdays=2,
            hard=True,
            call_types=("成交确认",),
        ),
        FollowUpRule(
            "P24",
            "只需复函的投诉登记复函",
            EVENT,
            "投诉",
            None,
            DAYS,
            method=LETTER,
            hard=True,
            note="复函=是的投诉不打电话，登记复函日期",
        ),
    )


# A built-in rule's cells that are settings of the 规则 sheet: code → {field: Policy field}. The
# 回访规则 row wins (settings.with_rule_rows writes its value into the setting); a window is the
# rule's entry of lapse_workdays; the 单位 of P2–P4/P13 is 按工作日计天数 (count_working_days).
SYNCED: dict[str, dict[str, str]] = {
    "P1": {"trigger_value": "cadence_days"},
    "P2": {"offset": "complaint_days", "target_pct": "complaint_coverage_pct"},
    "P3": {
        "offset": "repair_days",
        "target_pct": "repair_coverage_pct",
        "window_workdays": "lapse_workdays",
    },
    "P4": {
        "offset": "activity_days",
        "target_pct": "activity_coverage_pct",
        "window_workdays": "lapse_workdays",
    },
    "P5": {"offset": "deal_first_week_days", "window_workdays": "lapse_workdays"},
    "P6": {"window_workdays": "lapse_workdays"},
    "P7": {"offset": "project_start_days", "window_workdays": "lapse_workdays"},
    "P8": {"offset": "no_deal_months"},
    "P9": {"offset": "unresolved_issue_workdays"},
    "P12": {"trigger_value": "appointments_per_week"},
    "P13": {"offset": "proposal_days", "window_workdays": "lapse_workdays"},
    "P14": {"offset": "trip_verify_workdays", "window_workdays": "lapse_workdays"},
    "P15": {"offset": "verification_period_days"},
}
WORKDAY_UNIT_RULES = ("P2", "P3", "P4", "P13")  # 单位 工作日/天 is the policy's count_working_days
# The cells an office tunes on any built-in row (besides SYNCED); P16–P24 take every cell but 触发.
TUNABLE = ("caller", "method", "target_pct", "hard", "call_types", "classes", "enabled", "note")
# P21/P16B: which customer date they count from; P16/P16S: which festivals
TRIGGER_VALUE_TUNABLE = ("P16", "P16S", "P16B", "P21")
OLD_RULES = tuple(f"P{i}" for i in range(1, 16))  # P1–P15: dated by policy.py's own functions

FIELDS = tuple(f.name for f in fields(FollowUpRule) if f.name not in ("builtin",))


@dataclass(frozen=True)
class RuleRowIn:
    """One 回访规则 row as read: its values by field (typed, or the reader's Unreadable text),
    where each cell is (回访规则!E7) and where the row is, for errors."""

    values: dict[str, Any]
    cells: dict[str, str] = field(default_factory=dict)
    place: str = ""
    path: str | None = None

    def cell(self, key: str) -> str:
        return self.cells.get(key) or self.place


def _label(key: str) -> str:
    return schema.FOLLOW_UP_RULES.column(key).zh


def _bad(row: RuleRowIn, key: str, msg_id: str, **params) -> BadPolicy:
    return BadPolicy(
        msg_id,
        column=_label(key),
        value=row.values.get(key),
        code=row.values.get("code") or "",
        cell=row.cell(key),
        path=row.path,
        **params,
    )


def _split(text: Any) -> tuple[str, ...]:
    """'投诉, 维修；活动' → ('投诉', '维修', '活动')."""
    raw = "" if text is None else str(text)
    for sep in ("，", "；", ";", "、", "/", " "):
        raw = raw.replace(sep, ",")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@functools.cache
def customer_date_columns() -> dict[str, str]:
    """Every spelling of a customer-book date column (生日, Birthday, 最近成交日期…) → its field."""
    out: dict[str, str] = {}
    for col in schema.CUSTOMERS.columns:
        if col.type is schema.ColType.DATE:
            for name in (*col.names(), col.key):
                out.setdefault(schema.fold(name), col.key)
    return out


def customer_date_label(value: str) -> str | None:
    """The column's Chinese name for a 触发值 naming a customer date column, else None."""
    key = customer_date_columns().get(schema.fold(value))
    return schema.CUSTOMERS.column(key).zh if key else None


@functools.cache
def call_values() -> dict[str, str]:
    """What a 回访记录 trigger may equal: a 结果, 问题状态 or 回访类型 value (any spelling)."""
    out: dict[str, str] = {}
    for choices in (schema.RESULTS, schema.ISSUE_STATUS, schema.CALL_TYPES):
        for k, v in schema.choice_index(choices).items():
            out.setdefault(k, v)
    return out


def _number(row: RuleRowIn, key: str) -> int | None:
    v = row.values.get(key)
    if v is None or v == "":
        return None
    if not isinstance(v, int) or isinstance(v, bool):
        raise _bad(row, key, "ruletable.not_whole_number")
    if v < 0:
        raise _bad(row, key, "ruletable.negative")
    return v


def _choice(row: RuleRowIn, key: str, default: str) -> str:
    v = row.values.get(key)
    if v is None or v == "":
        return default
    if not isinstance(v, str) or type(v) is not str:
        allowed = schema.FOLLOW_UP_RULES.column(key).choice_labels("zh")
        raise _bad(row, key, "ruletable.unknown_choice", allowed=allowed)
    return v


def _flag(row: RuleRowIn, key: str, default: bool) -> bool:
    v = row.values.get(key)
    if v is None or v == "":
        return default
    if not isinstance(v, bool):
        raise _bad(row, key, "ruletable.unknown_choice", allowed=["是", "否"])
    return v


def _target(row: RuleRowIn) -> float | None:
    v = row.values.get("target_pct")
    if v is None or str(v).strip() == "":
        return None
    try:
        pct = float(str(v).strip().rstrip("%").strip())
    except ValueError:
        raise _bad(row, "target_pct", "ruletable.bad_target") from None
    if not 0 <= pct <= 100:
        raise _bad(row, "target_pct", "ruletable.bad_target")
    return int(pct) if pct.is_integer() else pct


def _call_types(row: RuleRowIn, office_types: set[str]) -> tuple[str, ...]:
    known = schema.choice_index(schema.CALL_TYPES)
    out = []
    for part in _split(row.values.get("call_types")):
        value = known.get(schema.fold(part)) or (part if part in office_types else None)
        if value is None:
            raise BadPolicy(
                "ruletable.unknown_call_type",
                value=part,
                allowed=[c.zh for c in schema.CALL_TYPES],
                cell=row.cell("call_types"),
                path=row.path,
            )
        out.append(value)
    return tuple(dict.fromkeys(out))


def _classes(row: RuleRowIn) -> tuple[str, ...]:
    known = schema.choice_index(schema.CLASSES)
    out = []
    for part in _split(row.values.get("classes")):
        value = known.get(schema.fold(part))
        if value is None:
            raise BadPolicy(
                "policy.unknown_class", classes=[part], cell=row.cell("classes"), path=row.path
            )
        out.append(value)
    return tuple(dict.fromkeys(out))


def _trigger_value(row: RuleRowIn, trigger: str) -> str:
    """A 触发值 the trigger can use, canonical: an event type (an office may name its own, such
    as 安装), a customer-book date column, a call's 结果/问题状态/回访类型 value."""
    raw = row.values.get("trigger_value")
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise _bad(row, "trigger_value", "ruletable.missing")
    if trigger == EVENT:
        return schema.choice_index(schema.EVENT_TYPES).get(schema.fold(text), text)
    if trigger == CUSTOMER_DATE:
        label = customer_date_label(text)
        if label is None:
            allowed = [c.zh for c in schema.CUSTOMERS.columns if c.type is schema.ColType.DATE]
            raise _bad(row, "trigger_value", "ruletable.unknown_date_column", allowed=allowed)
        return label
    if trigger == CALL:
        value = call_values().get(schema.fold(text))
        if value is None:
            raise _bad(row, "trigger_value", "ruletable.unknown_call_value")
        return value
    if trigger == FESTIVAL:  # a name no festival has would be dated never, without a word
        from .calendar import FESTIVALS, festival_names

        names, unknown = festival_names(text)
        if unknown or not names:
            raise _bad(row, "trigger_value", "ruletable.unknown_festival", allowed=list(FESTIVALS))
        return ",".join(names)
    return text


def _same(a: Any, b: Any) -> bool:
    return schema.fold("" if a is None else str(a)) == schema.fold("" if b is None else str(b))


def _builtin(row: RuleRowIn, rule: FollowUpRule, office_types: set[str]) -> FollowUpRule:
    """A row with a built-in code: its tunable cells over the rule as the policy has it."""
    v = row.values
    trigger = _choice(row, "trigger", rule.trigger)
    if trigger != rule.trigger:
        raise _bad(row, "trigger", "ruletable.builtin_fixed", default=rule.trigger)
    changes: dict[str, Any] = {}
    synced = SYNCED.get(rule.code, {})
    free_all = rule.code not in OLD_RULES  # P16–P24: every cell is the office's
    for key in ("offset", "window_workdays", "repeat_months"):
        n = _number(row, key)
        if n is None or n == getattr(rule, key):
            continue
        if key in synced or free_all:
            changes[key] = n
        elif rule.code in ("P2", "P9") and key == "window_workdays":
            raise BadPolicy(
                "policy.never_lapse", rules=[rule.code], cell=row.cell(key), path=row.path
            )
        else:
            raise _bad(row, key, "ruletable.builtin_fixed", default=getattr(rule, key) or "")
    unit = _choice(row, "unit", rule.unit)
    if unit != rule.unit:
        if (rule.code in WORKDAY_UNIT_RULES and unit in (WORKDAYS, DAYS)) or free_all:
            changes["unit"] = unit
        else:
            raise _bad(row, "unit", "ruletable.builtin_fixed", default=rule.unit)
    if "trigger_value" in v and v["trigger_value"] not in (None, ""):
        text = str(v["trigger_value"]).strip()
        if "trigger_value" in synced:
            changes["trigger_value"] = text
        elif _same(text, rule.trigger_value):
            pass
        elif rule.code in TRIGGER_VALUE_TUNABLE or free_all:  # a date column is checked
            changes["trigger_value"] = (
                _trigger_value(row, trigger) if trigger in (CUSTOMER_DATE, FESTIVAL) else text
            )
        else:
            raise _bad(row, "trigger_value", "ruletable.builtin_fixed", default=rule.trigger_value)
    changes["caller"] = _choice(row, "caller", rule.caller)
    changes["method"] = _choice(row, "method", rule.method)
    changes["hard"] = _flag(row, "hard", rule.hard)
    changes["enabled"] = _flag(row, "enabled", rule.enabled)
    if rule.code == "P10" and not changes["enabled"]:  # void customers are never called
        raise _bad(row, "enabled", "ruletable.builtin_fixed", default=rule.enabled)
    target = _target(row)
    if target is not None:
        changes["target_pct"] = target
    if v.get("call_types"):
        changes["call_types"] = _call_types(row, office_types)
    if v.get("classes"):
        changes["classes"] = _classes(row)
    if v.get("note"):
        changes["note"] = str(v["note"]).strip()
    return rule.with_(**changes)


def _custom(row: RuleRowIn, code: str, office_types: set[str]) -> FollowUpRule:
    """An office's own row (builtin=False): dated by the generic engine from its cells."""
    v = row.values
    trigger = _choice(row, "trigger", "")
    if not trigger:
        raise _bad(row, "trigger", "ruletable.missing")
    if trigger not in GENERIC_TRIGGERS:
        raise _bad(row, "trigger", "ruletable.not_generic", allowed=list(GENERIC_TRIGGERS))
    value = _trigger_value(row, trigger)
    offset = _number(row, "offset")
    if offset is None:
        raise _bad(row, "offset", "ruletable.missing")
    repeat = _number(row, "repeat_months")
    if repeat == 0:
        raise _bad(row, "repeat_months", "ruletable.repeat_zero")
    name = str(v.get("name") or "").strip() or code
    return FollowUpRule(
        code,
        name,
        trigger,
        value,
        offset,
        _choice(row, "unit", DAYS),
        repeat_months=repeat,
        window_workdays=_number(row, "window_workdays"),
        caller=_choice(row, "caller", OWNER),
        method=_choice(row, "method", PHONE),
        target_pct=_target(row),
        hard=_flag(row, "hard", False),
        call_types=_call_types(row, office_types | ({value} if trigger == EVENT else set())),
        classes=_classes(row),
        enabled=_flag(row, "enabled", True),
        builtin=False,
        note=str(v.get("note") or "").strip(),
    )


def rule_table_from_rows(rows: Iterable[RuleRowIn], policy) -> RuleTable:
    """The rules in force: ``RuleTable.for_policy(policy)`` (the defaults, with what the policy
    already carries) with the rows over it. A row with a built-in code changes that rule's
    tunable cells; a row with a new code adds an office rule. Raises ``BadPolicy`` naming the
    cell for an unknown value, an office rule the generic engine cannot date, a missing 期限,
    a negative number, an unknown event/call type or date column, and a code given twice."""
    base = RuleTable.for_policy(policy)
    rows = list(rows)
    seen: dict[str, RuleRowIn] = {}
    ordered: list[tuple[str, RuleRowIn]] = []
    for row in rows:
        raw = row.values.get("code")
        if raw is None or str(raw).strip() == "":
            if any(k != "code" and v not in (None, "") for k, v in row.values.items()):
                raise _bad(row, "code", "ruletable.missing")
            continue
        text = str(raw).strip()
        code = text.upper() if schema.fold(text).upper() in base.codes() else text
        key = schema.fold(code)
        if key in seen:
            raise BadPolicy(
                "ruletable.duplicate_code",
                code=code,
                first=seen[key].cell("code"),
                cell=row.cell("code"),
                path=row.path,
            )
        seen[key] = row
        ordered.append((code, row))
    # office event types (安装…) named by the office's own event rows, so 回访类型 may name them too
    known_events = set(schema.choice_index(schema.EVENT_TYPES))
    office_types = {rule.trigger_value for rule in base.rules if not rule.builtin}
    for code, row in ordered:
        trigger = row.values.get("trigger")
        value = str(row.values.get("trigger_value") or "").strip()
        new = code not in base.codes() and trigger == EVENT and value
        if new and schema.fold(value) not in known_events:
            office_types.add(value)
    by_code = {rule.code: rule for rule in base.rules}
    cells: dict[tuple[str, str], str] = dict(base.cells)
    for code, row in ordered:
        if code in by_code and by_code[code].builtin:
            by_code[code] = _builtin(row, by_code[code], office_types)
        else:
            by_code[code] = _custom(row, code, office_types)
        for key in row.values:
            cells[(code, key)] = row.cell(key)
    return RuleTable(tuple(by_code.values()), cells)


def _overlay(default: FollowUpRule, office: FollowUpRule) -> FollowUpRule:
    """A built-in rule as the office set it: its SYNCED cells stay the policy's settings (they
    were written into them), the rest is the office's."""
    synced = set(SYNCED.get(default.code, {}))
    if default.code in WORKDAY_UNIT_RULES:
        synced.add("unit")
    keep = {k: getattr(office, k) for k in FIELDS if k not in synced and k not in ("code", "name")}
    return default.with_(**keep)


class RuleTable:
    """The rules in force: the defaults, the office's changes and its own rows, by code."""

    def __init__(
        self, rules: tuple[FollowUpRule, ...], cells: dict[tuple[str, str], str] | None = None
    ) -> None:
        self.rules = rules
        self._by_code = {rule.code: rule for rule in rules}
        self._custom = [rule for rule in rules if not rule.builtin and rule.enabled]
        self.cells = cells or {}  # (code, field) → the cell it was read from (回访规则!E7)

    @classmethod
    def for_policy(cls, policy) -> RuleTable:
        """P1–P24 as the policy's settings date them, with the office's rows the policy carries
        (``Policy.follow_up_rules``: its changes to built-in rules and its own rules) over them."""
        rules = {rule.code: rule for rule in default_rules(policy)}
        for office in getattr(policy, "follow_up_rules", None) or ():
            default = rules.get(office.code)
            if default is not None and office.builtin:
                rules[office.code] = _overlay(default, office)
            else:
                rules[office.code] = office
        return cls(tuple(rules.values()))

    def codes(self) -> set[str]:
        return set(self._by_code)

    def office_event_types(self) -> set[str]:
        """事项类型 values only the office's own rules name (安装…): the 回访事项 sheet accepts them."""
        known = set(schema.choice_index(schema.EVENT_TYPES).values())
        return {
            rule.trigger_value
            for rule in self.rules
            if not rule.builtin and rule.trigger == EVENT and rule.trigger_value not in known
        }

    def office_changes(self, policy) -> list[FollowUpRule]:
        """What the policy keeps (``Policy.follow_up_rules``): the built-in rules the office
        changed from ``policy``'s defaults, and its own rules."""
        defaults = {rule.code: rule for rule in default_rules(policy)}
        return [
            rule
            for rule in self.rules
            if not rule.builtin or _overlay(defaults[rule.code], rule) != defaults[rule.code]
        ]

    def get(self, code: str) -> FollowUpRule:
        return self._by_code[code]

    def enabled(self, code: str) -> bool:
        rule = self._by_code.get(code)
        return rule is not None and rule.enabled

    def custom(self) -> list[FollowUpRule]:
        """The office's own rows (dated by the generic engine)."""
        return self._custom

    def targets(self) -> dict[str, float]:
        """Coverage targets by rule code (the monthly report compares against these)."""
        return {
            rule.code: rule.target_pct
            for rule in self.rules
            if rule.enabled and rule.target_pct is not None
        }

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)
