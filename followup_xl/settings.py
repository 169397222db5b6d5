"""The office's follow-up policy: every number of REQUIREMENTS P1–P15, M2, W1, B2–B4.

Defaults come from the seed policies. An office changes them in the workbook's
规则 sheet (参数 / 值 rows, Chinese or English setting names) or in a TOML file;
both are validated here so a typo gets a sentence, not a silent default.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import BadPolicy
from .messages import Message, message, render, table
from .ruletable import (
    SYNCED,
    WORKDAY_UNIT_RULES,
    WORKDAYS,
    FollowUpRule,
    RuleRowIn,
    RuleTable,
    rule_table_from_rows,
)

# Policy fields that are no setting of the 规则 sheet (lists of their own: the 人员 sheet or the
# TOML file, the 考核 items, the 回访规则 sheet's rows)
NOT_SETTINGS = ("staff", "score_items", "follow_up_rules")

# Working days after the due date an event follow-up is still worth a call (P5: the first week
# plus a week; P3/P4: about a month; P6: two weeks; P13: ten days past the feedback date).
LAPSE_DEFAULTS = {"P3": 22, "P4": 22, "P5": 5, "P6": 10, "P7": 10, "P13": 10, "P14": 5}
NEVER_LAPSE = ("P2", "P9")


def _zh(label: str) -> dict:
    """The setting's Chinese name on the 规则 sheet; its description is the catalog's setting.<name>."""
    return {"zh": label}


class ScoreItem(BaseModel):
    """One monthly target of the 电话回访员考核 (seed 003): points when met."""

    model_config = ConfigDict(extra="forbid")
    key: str
    zh: str
    points: float


class PolicyValueError(ValueError):
    """A setting out of range, said in both languages: BadPolicy shows it in the reader's."""

    def __init__(self, msg_id: str, **params) -> None:
        self.said: Message = message(msg_id, **params)
        super().__init__(self.said.render("zh"))


def _pairs(values: dict) -> list[str]:
    """``{"A": -5}`` as the 规则 sheet writes it: ``["A=-5"]``."""
    return [f"{k}={v}" for k, v in values.items()]


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # P1 routine cadence
    cadence_days: dict[str, int] = Field(
        {"A": 7, "B": 14, "C": 30},
        json_schema_extra=_zh("例行回访间隔天数"),
    )
    default_class: str = Field("C", json_schema_extra=_zh("未分类客户按类别"))
    retry_no_answer_workdays: int = Field(1, ge=0, json_schema_extra=_zh("未接通重拨工作日"))
    refusal_pause_days: int = Field(90, ge=0, json_schema_extra=_zh("拒访暂停天数"))
    # P2–P4
    complaint_days: int = Field(3, ge=0, json_schema_extra=_zh("投诉处理后回访天数"))
    complaint_coverage_pct: float = Field(
        50, ge=0, le=100, json_schema_extra=_zh("投诉回访率目标%")
    )
    repair_days: int = Field(30, ge=0, json_schema_extra=_zh("维修后回访天数"))
    repair_coverage_pct: float = Field(30, ge=0, le=100, json_schema_extra=_zh("维修回访率目标%"))
    activity_days: int = Field(30, ge=0, json_schema_extra=_zh("活动后回访天数"))
    activity_coverage_pct: float = Field(10, ge=0, le=100, json_schema_extra=_zh("活动回访率目标%"))
    # P5 deal → first week of next month
    deal_first_week_days: int = Field(7, ge=1, le=28, json_schema_extra=_zh("成交次月第一周天数"))
    # P6 consultation → Monday of the following week
    consultation_weekly_target: int = Field(30, ge=0, json_schema_extra=_zh("技术咨询周回访目标"))
    consultation_monthly_target: int = Field(120, ge=0, json_schema_extra=_zh("技术咨询月回访目标"))
    # P7 projects
    project_start_days: int = Field(10, ge=0, json_schema_extra=_zh("开工后回访天数"))
    # P8 dormant customers
    no_deal_months: int = Field(6, ge=1, json_schema_extra=_zh("无成交回访月数"))
    # P9 open issues
    unresolved_issue_workdays: int = Field(3, ge=0, json_schema_extra=_zh("问题未解决再回访工作日"))
    # obligations that end: after its window an event follow-up is missed (逾期未办); P2/P9 never lapse
    lapse_workdays: dict[str, int] = Field(
        dict(LAPSE_DEFAULTS),
        json_schema_extra=_zh("回访有效期工作日"),
    )
    escalate_workdays: int = Field(
        5,
        ge=0,
        json_schema_extra=_zh("上报天数"),
    )
    # P12 appointment visits
    appointments_per_week: int = Field(1, ge=0, json_schema_extra=_zh("每周约访次数"))
    appointment_week_start: Literal["monday", "saturday", "sunday"] = Field(
        "saturday", json_schema_extra=_zh("约访周起始日")
    )
    # P13 proposals
    proposal_days: int = Field(15, ge=0, json_schema_extra=_zh("提案反馈天数"))
    proposal_vp_days: int = Field(20, ge=0, json_schema_extra=_zh("提案反馈天数(副总审批)"))
    proposal_major_days: int = Field(30, ge=0, json_schema_extra=_zh("提案反馈天数(重大复杂)"))
    # P14 business trips
    trip_verify_workdays: int = Field(1, ge=0, json_schema_extra=_zh("出差回来后核实工作日"))
    # P15 record verification
    verification_period_days: int = Field(365, ge=1, json_schema_extra=_zh("客户资料核实周期天数"))
    verifier_monthly_target: int = Field(1200, ge=0, json_schema_extra=_zh("每月核实客户资料目标"))
    require_filed_verified: bool = Field(False, json_schema_extra=_zh("建档须填建档人和核实人"))
    # how "within N days" is counted
    count_working_days: bool = Field(False, json_schema_extra=_zh("按工作日计天数"))
    # W1 schedule
    week_start: Literal["monday", "saturday", "sunday"] = Field(
        "monday", json_schema_extra=_zh("排期周起始日")
    )
    batch_spacing_days: int = Field(2, ge=1, json_schema_extra=_zh("分批回访间隔天数"))
    default_daily_capacity: int = Field(20, ge=1, json_schema_extra=_zh("默认每日回访上限"))
    # V8 complaint levels → role
    complaint_roles: dict[str, str] = Field(
        {"一般": "员工", "重要": "部门主管", "重大": "公司经理"},
        json_schema_extra=_zh("投诉等级对应回访角色"),
    )
    # M2 staff scores
    score_items: list[ScoreItem] = Field(
        default_factory=lambda: [
            ScoreItem(key="deal", zh="每月第一周回访上月成交客户", points=3),
            ScoreItem(key="consultation", zh="技术咨询回访每周≥30、每月≥120", points=3),
            ScoreItem(key="verification", zh="每月核实客户资料≥1200", points=5),
            ScoreItem(key="trip", zh="业务员出差回来次日回访核实", points=4),
        ],
        json_schema_extra=_zh("考核项目与分值"),
    )
    score_base: float = Field(100, ge=0, json_schema_extra=_zh("月度基础分"))
    bonus_threshold: float = Field(110, ge=0, json_schema_extra=_zh("年终奖资格年度分"))
    min_months_for_bonus: int = Field(3, ge=0, json_schema_extra=_zh("年终奖最少入职月数"))
    # B2–B4
    sms_template: str = Field(
        "尊敬的{contact}：您好！原负责您业务的{old_owner}已离职，今后由{new_owner}（电话{new_phone}）为您服务，感谢您的支持！",
        json_schema_extra=_zh("交接短信模板"),
    )
    retention_years: int = Field(1, ge=1, json_schema_extra=_zh("记录保存年数"))
    lock_days: int = Field(
        30,
        ge=0,
        json_schema_extra=_zh("回访记录锁定天数"),
    )
    mask_class_a_for_staff: bool = Field(True, json_schema_extra=_zh("员工版隐藏A类客户资料"))
    # the office's own area code: a 7-8 digit number without one is a landline there (0755-2688123)
    local_area_code: str = Field("", json_schema_extra=_zh("本地区号"))
    # office calendar additions (also from the 节假日 sheet)
    extra_holidays: list[dt.date] = Field(default_factory=list, json_schema_extra=_zh("增加休息日"))
    extra_workdays: list[dt.date] = Field(default_factory=list, json_schema_extra=_zh("增加工作日"))
    # staff can also be listed in the policy file (name, role, capacity)
    staff: list[dict[str, Any]] = Field(default_factory=list, json_schema_extra=_zh("人员"))
    # the 回访规则 sheet's rows that differ from the defaults: changed built-in rules and the
    # office's own (ruletable.RuleTable.for_policy lays them over P1–P24); validated on the way in
    # by with_rule_rows, so a typo names its cell
    follow_up_rules: list[FollowUpRule] = Field(
        default_factory=list, json_schema_extra=_zh("回访规则")
    )

    @field_validator("cadence_days")
    @classmethod
    def _known_classes(cls, v: dict[str, int]) -> dict[str, int]:
        unknown = set(v) - {"A", "B", "C"}
        if unknown:
            raise PolicyValueError("policy.unknown_class", classes=sorted(unknown))
        bad = {k: n for k, n in v.items() if n <= 0}
        if bad:
            raise PolicyValueError("policy.interval_not_positive", bad=_pairs(bad))
        return {"A": 7, "B": 14, "C": 30, **v}  # "A=5" in the 规则 sheet changes class A only

    @field_validator("lapse_workdays")
    @classmethod
    def _known_windows(cls, v: dict[str, int]) -> dict[str, int]:
        never = set(v) & set(NEVER_LAPSE)
        if never:
            raise PolicyValueError("policy.never_lapse", rules=sorted(never))
        unknown = set(v) - set(LAPSE_DEFAULTS)
        if unknown:
            raise PolicyValueError(
                "policy.window_not_event", allowed=list(LAPSE_DEFAULTS), rules=sorted(unknown)
            )
        bad = {k: n for k, n in v.items() if n < 0}
        if bad:
            raise PolicyValueError("policy.window_negative", bad=_pairs(bad))
        return {**LAPSE_DEFAULTS, **v}  # "P6=5" in the 规则 sheet changes P6 only

    @field_validator("local_area_code", mode="before")
    @classmethod
    def _area_code(cls, v: Any) -> str:
        from .normalize import area_code

        if v is None or (isinstance(v, str) and not v.strip()):
            return ""
        code = area_code(v)
        if code is None:
            raise PolicyValueError("policy.bad_area_code", value=str(v))
        return code

    @field_validator("complaint_roles")
    @classmethod
    def _known_levels(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = set(v) - {"一般", "重要", "重大"}
        if unknown:
            raise PolicyValueError("policy.unknown_level", levels=sorted(unknown))
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.default_class not in ("A", "B", "C"):
            raise PolicyValueError("policy.default_class")
        if not self.proposal_days <= self.proposal_vp_days <= self.proposal_major_days:
            raise PolicyValueError("policy.proposal_order")
        if self.deal_first_week_days > 28:
            raise PolicyValueError("policy.deal_week_too_long")
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            raise PolicyValueError("policy.day_off_and_working", day=both[0])
        return self


def setting_names() -> dict[str, str]:
    """Every spelling a 规则 sheet may use for a setting → field name."""
    from .schema import fold

    out: dict[str, str] = {}
    for name, info in Policy.model_fields.items():
        out[fold(name)] = name
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        zh = extra.get("zh")
        if isinstance(zh, str) and zh:
            out[fold(zh)] = name
    return out


def setting_label(name: str) -> str:
    """A setting's name on the 规则 sheet (its Chinese label): local_area_code → 本地区号."""
    extra = Policy.model_fields[name].json_schema_extra
    label = extra.get("zh") if isinstance(extra, dict) else None
    return label if isinstance(label, str) else name


def _coerce(name: str, value: Any) -> Any:
    """A 规则 sheet holds text: '是', 'A=7, B=14', '2026-10-01;2026-10-02' → typed values."""
    field = Policy.model_fields[name]
    ann = field.annotation
    text = "" if value is None else str(value).strip()
    if ann is bool:
        return text.lower() in ("是", "true", "yes", "1", "y", "开", "启用")
    if ann in (dict[str, int], dict[str, str]):
        out = {}
        for part in text.replace("，", ",").replace("；", ",").replace(";", ",").split(","):
            if not part.strip():
                continue
            k, sep, v = part.replace("：", "=").replace(":", "=").partition("=")
            if not sep:
                raise PolicyValueError("policy.write_key_value", part=part)
            out[k.strip()] = int(float(v)) if ann == dict[str, int] else v.strip()
        return out
    if ann == list[dt.date]:
        from .normalize import parse_date

        dates = []
        for part in text.replace("，", ",").replace("；", ",").replace(";", ",").split(","):
            if part.strip():
                d = parse_date(part.strip())
                if not isinstance(d, dt.date):
                    raise PolicyValueError("policy.unreadable_date", part=part)
                dates.append(d)
        return dates
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def policy_from_rows(
    rows: Iterable[tuple[str | None, Any, str | None]], base: Policy | None = None
) -> Policy:
    """Apply (setting, value, where) rows over ``base``; `where` names the cell for errors."""
    names = setting_names()
    from .schema import fold

    data = (base or Policy()).model_dump()
    for key, value, where in rows:
        if not key:
            continue
        name = names.get(fold(key))
        if name is None or name == "follow_up_rules":
            raise BadPolicy("policy.unknown_setting", key=key, cell=where)
        if value is None or str(value).strip() == "":
            continue
        try:
            data[name] = _coerce(name, value)
        except ValueError as exc:
            said = exc.said if isinstance(exc, PolicyValueError) else exc
            raise BadPolicy("policy.bad_value", key=key, value=value, exc=said, cell=where) from exc
    return validate_policy(data)


def validate_policy(data: dict, where: str | None = None) -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        error = first.get("ctx", {}).get("error")
        msg = error.said if isinstance(error, PolicyValueError) else first["msg"]
        raise BadPolicy("policy.invalid", loc=loc, msg=msg, path=where) from exc


def load_policy_toml(path: str, base: Policy | None = None) -> Policy:
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise BadPolicy("policy.file_missing", path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise BadPolicy("policy.not_toml", exc=exc, path=path) from exc
    names = setting_names()
    from .schema import fold

    data = (base or Policy()).model_dump()
    rule_rows: list[RuleRowIn] = []
    for key, value in raw.items():
        name = names.get(fold(key))
        if name is None:
            raise BadPolicy("policy.unknown_setting", key=key, path=path)
        if name == "follow_up_rules":
            rule_rows = rule_rows_from_toml(value, path, key)
            continue
        data[name] = value
    policy = validate_policy(data, where=path)
    return with_rule_rows(policy, rule_rows) if rule_rows else policy


def rule_rows_from_toml(tables: Any, path: str, key: str) -> list[RuleRowIn]:
    """``[[回访规则]]`` (or ``[[follow_up_rules]]``) tables, keyed like the sheet's columns
    (Chinese, English or the field names), as rows; the n-th table is named in errors."""
    from .normalize import parse_cell
    from .schema import FOLLOW_UP_RULES, fold, header_index

    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise BadPolicy("ruletable.toml_not_tables", key=key, path=path)
    headers = header_index(FOLLOW_UP_RULES)
    for col in FOLLOW_UP_RULES.columns:
        headers.setdefault(fold(col.key), col.key)
    rows = []
    for n, entry in enumerate(tables, start=1):
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for header, raw in entry.items():
            field = headers.get(fold(header))
            if field is None or field not in FOLLOW_UP_RULES.keys:
                raise BadPolicy(
                    "ruletable.toml_unknown_key", key=key, n=n, header=header, path=path
                )
            value = parse_cell(FOLLOW_UP_RULES.column(field), raw)
            if field == "target_pct" and isinstance(raw, int | float) and not isinstance(raw, bool):
                value = raw
            if value is not None and value != "":
                values[field] = value
            cells[field] = render("ruletable.toml_place", "zh", key=key, n=n, header=header)
        place = render("ruletable.toml_place", "zh", key=key, n=n, header="")
        rows.append(RuleRowIn(values, cells, place.strip(), path))
    return rows


def rule_rows_of(book) -> list[RuleRowIn]:
    """A book's 回访规则 rows, each cell named (回访规则!E7)."""
    from .schema import FOLLOW_UP_RULES

    rows = []
    for row in book.follow_up_rules:
        sheet = row.src.sheet if row.src else FOLLOW_UP_RULES.zh
        values = {k: row.raw(k) for k in FOLLOW_UP_RULES.keys if row.raw(k) not in (None, "")}
        cells = {
            k: f"{sheet}!{cell}" for k in FOLLOW_UP_RULES.keys if (cell := book.cell_of(row, k))
        }
        place = cells.get("code") or (f"{sheet}!{row.src.row}" if row.src else sheet)
        rows.append(RuleRowIn(values, cells, place))
    return rows


def with_rule_rows(policy: Policy, rows: Iterable[RuleRowIn]) -> Policy:
    """``policy`` with 回访规则 rows over it: each row's cell that is a 规则 setting (P2's 期限 is
    投诉处理后回访天数…) wins and is written into the setting, so both sheets say one thing; the
    rest is kept in ``follow_up_rules``. Errors name the row's cell."""
    table = rule_table_from_rows(rows, policy)
    data = policy.model_dump()
    for setting, value, cell in _synced(table):
        trial = {**data, setting: value}
        try:
            Policy.model_validate(trial)
        except ValidationError as exc:
            first = exc.errors()[0]
            error = first.get("ctx", {}).get("error")
            said = error.said if isinstance(error, PolicyValueError) else first["msg"]
            raise BadPolicy(
                "policy.bad_value", key=setting_label(setting), value=value, exc=said, cell=cell
            ) from exc
        data = trial
    synced = validate_policy(data)
    data["follow_up_rules"] = table.office_changes(synced)
    return validate_policy(data)


def _synced(table: RuleTable) -> Iterator[tuple[str, Any, str]]:
    """(setting, value, cell) for each 回访规则 cell the office wrote that is a 规则 setting."""
    units: dict[str, tuple[bool, str]] = {}
    for code, fields in SYNCED.items():
        rule = table.get(code)
        for key, setting in fields.items():
            cell = table.cells.get((code, key))
            if cell is None:
                continue
            value: Any = getattr(rule, key)
            if setting == "lapse_workdays":
                yield setting, {code: value}, cell
            elif setting == "cadence_days":
                try:
                    pairs = _coerce(setting, value)
                except ValueError as exc:  # "A7": not key=value
                    said = exc.said if isinstance(exc, PolicyValueError) else exc
                    label = setting_label(setting)
                    raise BadPolicy(
                        "policy.bad_value", key=label, value=value, exc=said, cell=cell
                    ) from exc
                yield setting, pairs, cell
            else:
                yield setting, value, cell
    for code in WORKDAY_UNIT_RULES:
        cell = table.cells.get((code, "unit"))
        if cell is not None:
            units[code] = (table.get(code).unit == WORKDAYS, cell)
    if len({on for on, _cell in units.values()}) > 1:
        cells = [cell for _on, cell in units.values()]
        raise BadPolicy("ruletable.units_together", cells=cells, rules=list(WORKDAY_UNIT_RULES))
    for on, cell in units.values():
        yield "count_working_days", on, cell
        break


def policy_for_book(book, toml_path: str | None = None) -> Policy:
    """The policy in force for a workbook: defaults, then its 规则 sheet, its 回访规则 sheet (a
    rule's cell wins over the matching 规则 setting), then a TOML file."""
    return policy_and_notes(book, toml_path)[0]


def policy_and_notes(book, toml_path: str | None = None) -> tuple[Policy, list[Message]]:
    """``policy_for_book``, and a note for each 回访规则 cell that overrides a 规则 setting the
    book also sets otherwise (both cells named: the 回访规则 one is in force)."""
    rows = []
    for row in book.rules:
        where = f"{row.src.sheet}!{book.cell_of(row, 'value')}" if row.src else None
        rows.append((row.key, row.raw("value"), where))
    policy = policy_from_rows(rows)
    settings_cells = {}
    names = setting_names()
    from .schema import fold

    for key, value, where in rows:
        name = names.get(fold(key)) if key else None
        if name and value not in (None, "") and where:
            settings_cells[name] = where
    before, notes = policy, []
    if book.follow_up_rules:
        policy = with_rule_rows(policy, rule_rows_of(book))
        notes = _disagreements(before, policy, settings_cells, book)
    extra_off = [
        holiday.date for holiday in book.holidays if holiday.date and holiday.kind == "休息日"
    ]
    extra_on = [
        holiday.date for holiday in book.holidays if holiday.date and holiday.kind == "工作日"
    ]
    if extra_off or extra_on:
        policy = policy.model_copy(
            update={
                "extra_holidays": sorted(set(policy.extra_holidays) | set(extra_off)),
                "extra_workdays": sorted(set(policy.extra_workdays) | set(extra_on)),
            }
        )
    if toml_path:
        policy = load_policy_toml(toml_path, base=policy)
    return policy, notes


def _disagreements(
    before: Policy, after: Policy, settings_cells: dict[str, str], book
) -> list[Message]:
    """The 规则 settings a 回访规则 cell changed although the 规则 sheet set them itself."""
    from .schema import FOLLOW_UP_RULES

    rows = rule_rows_of(book)
    cells = {(str(r.values.get("code", "")).upper(), k): r.cell(k) for r in rows for k in r.values}
    out = []
    for code, fields in SYNCED.items():
        for key, setting in fields.items():
            rule_cell = cells.get((code, key))
            setting_cell = settings_cells.get(setting)
            if rule_cell is None or setting_cell is None:
                continue
            old, new = getattr(before, setting), getattr(after, setting)
            if setting == "lapse_workdays":
                old, new = old.get(code), new.get(code)
            if old != new:
                out.append(
                    message(
                        "ruletable.sheets_disagree",
                        rule_cell=rule_cell,
                        setting_cell=setting_cell,
                        code=code,
                        column=FOLLOW_UP_RULES.column(key).zh,
                        setting=setting_label(setting),
                        new=new,
                        old=old,
                    )
                )
    return out


def setting_text(value: Any) -> str:
    """A setting's value as the 规则 sheet writes it: A=7, B=14 / 是 / 2026-10-01, 2026-10-02."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rule_row_values(rule: FollowUpRule, lang: str = "zh") -> dict[str, Any]:
    """A rule as a 回访规则 row's cells (a built-in rule's 名称 in ``lang``, the rest as the
    sheet's dropdowns spell them)."""
    name = render(f"rule.{rule.code}", lang) if rule.builtin else rule.name
    target = rule.target_pct
    return {
        "code": rule.code,
        "name": name,
        "trigger": rule.trigger,
        "trigger_value": rule.trigger_value or None,
        "offset": rule.offset,
        "unit": rule.unit,
        "repeat_months": rule.repeat_months,
        "window_workdays": rule.window_workdays,
        "caller": rule.caller,
        "method": rule.method,
        "target_pct": None if target is None else setting_text(target),
        "hard": rule.hard,
        "call_types": ",".join(rule.call_types) or None,
        "classes": ",".join(rule.classes) or None,
        "enabled": rule.enabled,
        "note": rule.note or None,
    }


def rule_sheets(book, lang: str = "zh") -> tuple[list, list]:
    """The 规则 and 回访规则 rows to write for ``book``, saying one thing: every rule in force on
    回访规则 (P1–P24 and the office's own), and each 规则 setting a 回访规则 cell stands for
    written with the value in force (added when the sheet lacks it and it is not the default).
    A book whose rules do not validate keeps its rows as they are (its checks say why)."""
    from .models import FollowUpRuleRow, RuleRow

    try:
        policy = policy_for_book(book)
    except BadPolicy:
        return list(book.rules), list(book.follow_up_rules)
    table = RuleTable.for_policy(policy)
    mine = {str(r.code or "").strip().upper(): r for r in book.follow_up_rules if r.code}
    follow = []
    for rule in table:
        old = mine.get(rule.code.upper())
        follow.append(
            FollowUpRuleRow.build(
                old.src if old else None,
                {},
                dict(old.extra) if old else {},
                rule_row_values(rule, lang),
            )
        )
    names = setting_names()
    from .schema import fold

    defaults = Policy()
    synced = {setting for fields in SYNCED.values() for setting in fields.values()}
    synced.add("count_working_days")
    rules = []
    written: set[str] = set()
    for row in book.rules:
        name = names.get(fold(row.key)) if row.key else None
        if name in synced and name is not None:
            if getattr(policy, name) != _typed(name, row.raw("value"), getattr(defaults, name)):
                value = setting_text(getattr(policy, name))
                row = RuleRow.build(row.src, {}, dict(row.extra), {**row.values(), "value": value})
            written.add(name)
        rules.append(row)
    for name in sorted(synced - written, key=list(Policy.model_fields).index):
        if getattr(policy, name) != getattr(defaults, name):
            label = setting_label(name) if lang == "zh" else name
            rules.append(
                RuleRow.build(
                    None, {}, {}, {"key": label, "value": setting_text(getattr(policy, name))}
                )
            )
    return rules, follow


def _typed(name: str, value: Any, default: Any) -> Any:
    """A 规则 cell's value as the policy holds it (blank: the default; unreadable: None)."""
    if value is None or str(value).strip() == "":
        return default
    try:
        return validate_policy({**Policy().model_dump(), name: _coerce(name, value)}).__dict__[name]
    except (ValueError, BadPolicy):
        return None


def describe_settings(lang: str = "zh") -> list[dict]:
    """Rows for a 规则 sheet: setting (Chinese label), default value as text, description."""
    out = []
    described = table("setting")["zh"]  # each setting's 说明, zh and en, in the message catalog
    defaults = Policy()
    for name, info in Policy.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if name in NOT_SETTINGS:
            continue
        text = setting_text(getattr(defaults, name))
        out.append(
            {
                "key": extra.get("zh", name) if lang == "zh" else name,
                "value": text,
                "description": render(f"setting.{name}", lang) if name in described else "",
            }
        )
    return out
