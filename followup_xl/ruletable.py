"""The follow-up rules as a table (回访规则): one row per rule, so the office sees and tunes them.

Each row says what starts a follow-up (an event type, a customer date, a call, a festival),
how long after it the follow-up is due, how long it stays worth doing, who makes it, how,
the coverage target and whether it is a hard deadline. P1–P24 are rows whose dating the
code knows (``builtin``); an office adds its own rows (安装 → 3 个工作日) which the generic
engine dates from the row alone. Plain data: no Excel, no terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# 触发 (what starts it) — canonical Chinese values
CADENCE = "周期"  # P1: every N days by class
EVENT = "事项"  # a 回访事项 row of the type in 触发值
CUSTOMER_DATE = (
    "客户日期"  # a date on the customer book (生日, 保修到期日, 入伙日期, 最近成交日期…)
)
CALL = "回访记录"  # a call (问题未解决, 上门, 客户反映问题)
FESTIVAL = "节日"  # a festival of the calendar (春节, 中秋节…)
STAFF = "人员"  # per salesperson (P12 约访)
BUILTIN = "内置"  # not a follow-up of its own: a rule on how the others are made (P10, P11)
TRIGGERS = (CADENCE, EVENT, CUSTOMER_DATE, CALL, FESTIVAL, STAFF, BUILTIN)

# 单位 of 期限
WORKDAYS, DAYS, HOURS, MONTHS = "工作日", "天", "小时", "月"
UNITS = (WORKDAYS, DAYS, HOURS, MONTHS)

# 回访人
OWNER, BY_GRADE, HEAD, MANAGER, CALLER = "负责人", "按投诉等级", "部门主管", "公司经理", "回访人"
CALLERS = (OWNER, BY_GRADE, HEAD, MANAGER, CALLER)

# 方式
PHONE, VISIT, SMS, REPORT, LETTER = "电话", "上门", "短信", "报告", "复函"
METHODS = (PHONE, VISIT, SMS, REPORT, LETTER)


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
            caller="核实人",
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


class RuleTable:
    """The rules in force: the defaults, the office's changes and its own rows, by code."""

    def __init__(self, rules: tuple[FollowUpRule, ...]) -> None:
        self.rules = rules
        self._by_code = {rule.code: rule for rule in rules}

    @classmethod
    def for_policy(cls, policy) -> RuleTable:
        return cls(default_rules(policy))

    def get(self, code: str) -> FollowUpRule:
        return self._by_code[code]

    def enabled(self, code: str) -> bool:
        rule = self._by_code.get(code)
        return rule is not None and rule.enabled

    def custom(self) -> list[FollowUpRule]:
        """The office's own rows (dated by the generic engine)."""
        return [rule for rule in self.rules if not rule.builtin and rule.enabled]

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
