"""The office's follow-up policy: every number of REQUIREMENTS P1–P15, M2, W1, B2–B4.

Defaults come from the seed policies. An office changes them in the workbook's
规则 sheet (参数 / 值 rows, Chinese or English setting names) or in a TOML file;
both are validated here so a typo gets a sentence, not a silent default.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import BadPolicy
from .messages import Message, message, render, table

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
        if name is None:
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
    for key, value in raw.items():
        name = names.get(fold(key))
        if name is None:
            raise BadPolicy("policy.unknown_setting", key=key, path=path)
        data[name] = value
    return validate_policy(data, where=path)


def policy_for_book(book, toml_path: str | None = None) -> Policy:
    """The policy in force for a workbook: defaults, then its 规则 sheet, then a TOML file."""
    rows = []
    for row in book.rules:
        where = f"{row.src.sheet}!{book.cell_of(row, 'value')}" if row.src else None
        rows.append((row.key, row.raw("value"), where))
    policy = policy_from_rows(rows)
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
    return policy


def describe_settings(lang: str = "zh") -> list[dict]:
    """Rows for a 规则 sheet: setting (Chinese label), default value as text, description."""
    out = []
    described = table("setting")["zh"]  # each setting's 说明, zh and en, in the message catalog
    defaults = Policy()
    for name, info in Policy.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if name in ("staff", "score_items"):
            continue
        value = getattr(defaults, name)
        if isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, bool):
            text = "是" if value else "否"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value)
        out.append(
            {
                "key": extra.get("zh", name) if lang == "zh" else name,
                "value": text,
                "description": render(f"setting.{name}", lang) if name in described else "",
            }
        )
    return out
