"""The sheets, defined once.

Templates, readers, checks and writers all take sheet names, headers (Chinese,
English, aliases), column types and dropdown values from here, so a header
renamed in one place is renamed everywhere.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class ColType(StrEnum):
    TEXT = "text"
    ID = "id"  # an identifier: numbers like 1001.0 become "1001"
    DATE = "date"
    TIME = "time"
    PHONE = "phone"
    INT = "int"
    ENUM = "enum"
    SATISFACTION = "satisfaction"  # 1–5, or 非常满意…非常不满意
    BOOL = "bool"  # 是/否


@dataclass(frozen=True)
class Choice:
    """One dropdown value: the canonical Chinese text, its English text, and aliases."""

    zh: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    type: ColType = ColType.TEXT
    aliases: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    required: bool = False
    width: float = 12
    note: str = ""  # shown as the header's input message in the template
    # A formula column (followup_xl/formulas.py): the book computes it, nobody types it; readers
    # skip it, merge never takes it as input, a check says when a cell of it was typed over.
    computed: bool = False

    def header(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def names(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)

    def choice_labels(self, lang: str = "zh") -> list[str]:
        return [c.en if lang == "en" else c.zh for c in self.choices]


@dataclass(frozen=True)
class SheetDef:
    key: str
    zh: str
    en: str
    table: str  # Excel table name (ASCII so formulas stay portable)
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    optional: bool = False
    extra: dict = field(default_factory=dict)
    # Formula columns the staff book adds after ``columns`` (never data: see Column.computed).
    computed: tuple[Column, ...] = ()

    def title(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def names(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key} has no column {key!r}")

    def computed_column(self, key: str) -> Column:
        for c in self.computed:
            if c.key == key:
                return c
        raise KeyError(f"{self.key} has no formula column {key!r}")

    @functools.cached_property
    def keys(self) -> tuple[str, ...]:
        """Computed once: merging and fingerprinting ask for it for every record."""
        return tuple(c.key for c in self.columns)


def fold(text: str) -> str:
    """Compare-form of a header or dropdown value: NFKC, no spaces, lower case."""
    t = unicodedata.normalize("NFKC", str(text))
    return "".join(t.split()).lower().replace("（", "(").replace("）", ")")


# --- dropdown values -------------------------------------------------------

CLASSES = (
    Choice("A", "A", ("A类", "a类", "甲", "甲类")),
    Choice("B", "B", ("B类", "乙", "乙类")),
    Choice("C", "C", ("C类", "丙", "丙类")),
)
CUSTOMER_TYPES = (
    Choice("机关/组织", "Organisation", ("机关", "组织", "机关组织", "政府")),
    Choice("大客户", "Key account", ("VIP",)),
    Choice("重要客户", "Important"),
    Choice("一般客户", "Regular", ("普通客户", "一般")),
)
CUSTOMER_STATUS = (
    Choice("正常", "Active", ("有效", "在用")),
    Choice("废除", "Void", ("作废", "无效", "已废除")),
    Choice("停止回访", "Do not call", ("勿扰", "不再回访", "拒绝回访", "do-not-call")),
)
EVENT_STATUS = (  # a closed or withdrawn event makes no further follow-ups
    Choice("进行中", "Open", ("未办结", "处理中", "open")),
    Choice("已办结", "Closed", ("办结", "已完成", "closed")),
    Choice("已撤销", "Withdrawn", ("撤销", "取消", "已取消", "withdrawn")),
)
METHODS = (
    Choice("电话", "Phone", ("电话回访", "致电", "来电", "call", "phone call", "telephone")),
    Choice("上门", "Visit", ("上门回访", "拜访", "走访", "visit")),
    Choice("短信", "SMS", ("短讯", "text")),
    Choice("微信", "WeChat", ("wechat", "weixin")),
    Choice("邮件", "Email", ("电子邮件", "e-mail", "mail")),
)
CALL_TYPES = (
    Choice("例行", "Routine", ("例行回访", "日常", "定期")),
    Choice("成交", "Deal", ("成交回访", "售后")),
    Choice("投诉", "Complaint", ("投诉回访",)),
    Choice("维修", "Repair", ("维修回访", "报修")),
    Choice("活动", "Event", ("活动回访", "activity")),
    Choice("咨询", "Consultation", ("技术咨询", "咨询回访")),
    Choice("节日", "Holiday greeting", ("节日问候", "节日拜访", "holiday")),
    Choice("工程开工", "Project start", ("开工",)),
    Choice("工程中期", "Project midway", ("中期",)),
    Choice("工程竣工", "Project completion", ("竣工",)),
    Choice("约访", "Appointment visit", ("预约拜访", "appointment")),
    Choice("提案反馈", "Proposal feedback", ("提案", "proposal")),
    Choice("出差核实", "Trip verification", ("出差回访", "trip")),
    Choice("无成交回访", "Dormant customer", ("休眠回访", "dormant")),
    Choice("入伙", "Move-in", ("入伙回访", "入住回访")),
    Choice("突发事件", "Emergency", ("突发事件回访", "突发", "Emergency follow-up")),
    Choice("保修抽查", "Spot check", ("保修回访", "质保抽查", "Warranty spot check")),
    Choice("反馈表回访", "Feedback form", ("意见反馈回访", "Feedback-form call")),
    Choice("成交确认", "Order confirm", ("订单确认", "购买确认", "Order confirmation")),
    Choice("生日问候", "Birthday", ("生日", "Birthday greeting")),
)
EVENT_TYPES = (
    Choice("成交", "Deal", ("deal",)),
    Choice("投诉", "Complaint", ("complaint",)),
    Choice("维修", "Repair", ("报修", "repair")),
    Choice("活动", "Event", ("activity",)),
    Choice("咨询", "Consultation", ("技术咨询",)),
    Choice("工程", "Project", ("工程项目", "项目")),
    Choice("提案", "Proposal", ("客户提案",)),
    Choice("出差拜访", "Business trip visit", ("出差", "trip")),
    Choice("入伙", "Move-in", ("入住", "交房", "move-in")),
    Choice("突发事件", "Emergency", ("突发", "紧急事件", "emergency")),
)
COMPLAINT_LEVELS = (
    Choice("一般", "Minor", ("普通", "minor")),
    Choice("重要", "Important", ("important",)),
    Choice("重大", "Major", ("严重", "major")),
)
PROPOSAL_LEVELS = (
    Choice("一般", "Regular", ("普通",)),
    Choice("副总审批", "VP approved", ("副总批准", "需副总批准")),
    Choice("重大", "Major or complex", ("重大复杂", "复杂")),
)
ISSUE_STATUS = (
    Choice("未解决", "Open", ("待解决", "处理中", "open", "unresolved")),
    Choice("已解决", "Resolved", ("解决", "已处理", "closed", "resolved")),
)
RESULTS = (
    Choice("成功", "Reached", ("已接通", "接通", "完成", "success", "ok")),
    Choice("未接通", "No answer", ("无人接听", "未接", "关机", "no answer")),
    Choice("拒访", "Refused", ("拒绝", "refused")),
    Choice("改约", "Rescheduled", ("改期", "另约", "rescheduled")),
)
SATISFACTION = (  # canonical value is the number 1–5
    Choice("5", "5", ("非常满意", "very satisfied")),
    Choice("4", "4", ("满意", "satisfied")),
    Choice("3", "3", ("一般", "基本满意", "neutral")),
    Choice("2", "2", ("不满意", "dissatisfied")),
    Choice("1", "1", ("非常不满意", "很不满意", "very dissatisfied")),
)
ROLES = (
    Choice("员工", "Staff", ("销售人员", "客服专员", "电话回访员", "业务员", "staff")),
    Choice("部门主管", "Department head", ("主管", "客服主管", "部门经理", "head")),
    Choice("公司经理", "Company manager", ("经理", "总经理", "销售经理", "manager")),
)
STAFF_STATUS = (
    Choice("在职", "Working", ("在岗", "working", "active")),
    Choice("离职", "Left", ("已离职", "left")),
)
YES_NO = (
    Choice("是", "Yes", ("y", "true", "1", "匿名")),
    Choice("否", "No", ("n", "false", "0", "实名")),
)
DAY_KINDS = (
    Choice("休息日", "Day off", ("假日", "节假日", "放假", "休息", "off", "holiday")),
    Choice("工作日", "Working day", ("上班", "补班", "调休上班", "working")),
)
# 回访规则 (followup_xl/ruletable.py takes its canonical values from these)
RULE_TRIGGERS = (  # what starts a follow-up
    Choice("周期", "Cadence", ("例行周期", "cadence", "routine")),
    Choice("事项", "Event", ("回访事项", "事项类型", "event")),
    Choice("客户日期", "Customer date", ("客户资料日期", "日期", "customer date", "date")),
    Choice("回访记录", "Call", ("回访", "通话", "call", "call result")),
    Choice("节日", "Festival", ("节假日", "festival")),
    Choice("人员", "Staff", ("每人", "业务员", "staff", "per person")),
    Choice("内置", "Built-in", ("内建", "built-in", "builtin")),
)
RULE_UNITS = (  # the unit of 期限
    Choice("工作日", "Working days", ("个工作日", "working days", "workdays", "working day")),
    Choice("天", "Days", ("日", "日历天", "自然日", "days", "day", "calendar days")),
    Choice("小时", "Hours", ("hours", "hour", "h")),
    Choice("月", "Months", ("个月", "months", "month")),
)
RULE_CALLERS = (  # who makes the follow-up
    Choice("负责人", "Owner", ("客户负责人", "业务员", "owner")),
    Choice("按投诉等级", "By complaint grade", ("按等级", "by grade")),
    Choice("部门主管", "Department head", ("主管", "客服主管", "head")),
    Choice("公司经理", "Company manager", ("经理", "总经理", "manager")),
    Choice("回访人", "Caller", ("来电回访人", "caller")),
    Choice("核实人", "Verifier", ("verifier",)),
)
RULE_METHODS = (  # how
    Choice("电话", "Phone", ("电话回访", "phone", "call")),
    Choice("上门", "Visit", ("上门回访", "拜访", "visit")),
    Choice("短信", "SMS", ("短讯", "text")),
    Choice("报告", "Report", ("上报", "报告表", "report")),
    Choice("复函", "Reply letter", ("回函", "letter")),
)

C = Column
T = ColType

CUSTOMERS = SheetDef(
    "customers",
    "客户名录簿",
    "Customers",
    "tblCustomers",
    aliases=("客户名录", "客户名单", "客户档案", "客户资料", "Customer Book", "客户表"),
    columns=(
        C(
            "customer_id",
            "客户编号",
            "Customer ID",
            T.ID,
            (
                "客户ID",
                "客户代码",
                "编号",
                "ID",
                "客户号",
                "客户编码",
                "会员卡号",
                "会员编号",
                "会员号",
                "卡号",
                "Customer No",
                "Customer Number",
                "Account ID",
                "Client ID",
            ),
            required=True,
            width=11,
        ),
        C(
            "name",
            "客户名称",
            "Customer",
            T.TEXT,
            (
                "客户姓名",
                "名称",
                "客户",
                "姓名",
                "Customer Name",
                "Name",
                "单位名称",
                "客户名",
                "会员姓名",
                "公司名称",
                "Company",
                "Company Name",
                "Account Name",
                "Client",
                # a shop list names its customer by the shop: weaker than a 客户名称 beside it
                "店名",
                "门店",
                "门店名称",
                "店铺名称",
                "商户名称",
            ),
            required=True,
            width=18,
        ),
        C(
            "contact",
            "联系人",
            "Contact",
            T.TEXT,
            ("联系人姓名", "联络人", "Contact Name", "Contact Person", "Full Name"),
            width=10,
        ),
        C(
            "phone",
            "联系电话",
            "Phone",
            T.PHONE,
            (
                "电话",
                "手机",
                "手机号",
                "手机号码",
                "电话号码",
                "联系方式",
                "Mobile",
                "Tel",
                "Telephone",
                "客户手机号",
                "客户手机",
                "客户电话",
                "联系号码",
                "客户联系方式",
                "Phone Number",
                "Mobile Phone",
                "Mobile Number",
                "Cell",
                "Cell Phone",
            ),
            required=True,
            width=15,
        ),
        C(
            "klass",
            "客户类别",
            "Class",
            T.ENUM,
            ("类别", "客户等级", "等级", "分类", "ABC类", "Category"),
            CLASSES,
            width=9,
            note="A/B/C",
        ),
        C("ctype", "客户类型", "Customer Type", T.ENUM, ("类型",), CUSTOMER_TYPES, width=11),
        C(
            "owner",
            "负责人",
            "Owner",
            T.TEXT,
            (
                "业务员",
                "销售人员",
                "客户经理",
                "跟进人",
                "Salesperson",
                "归属人",
                "所属员工",
                "Lead Owner",
                "Account Owner",
                "Contact Owner",
                "Sales Rep",
            ),
            required=True,
            width=9,
        ),
        C(
            "created",
            "建档日期",
            "Filed On",
            T.DATE,
            (
                "登记日期",
                "建档时间",
                "Created",
                "入会日期",
                "开卡日期",
                "注册日期",
                "Created Date",
                "Create Date",
                "Date Created",
            ),
            width=11,
        ),
        C(
            "last_deal",
            "最近成交日期",
            "Last Deal",
            T.DATE,
            ("最近成交", "成交日期", "Last Deal Date"),
            width=12,
        ),
        C("status", "状态", "Status", T.ENUM, ("客户状态",), CUSTOMER_STATUS, width=7),
        C(
            "note",
            "备注",
            "Note",
            T.TEXT,
            ("说明", "Remarks", "Notes", "客户备注", "Description", "Comments"),
            width=16,
        ),
        C("filed_by", "建档人", "Filed By", T.TEXT, (), width=9),
        C("verified_by", "核实人", "Verified By", T.TEXT, (), width=9),
        C("verified_on", "核实日期", "Verified On", T.DATE, (), width=11),
        C(
            "status_since",
            "状态日期",
            "Status Since",
            T.DATE,
            ("停止回访日期",),
            width=11,
            note="状态改为停止回访或废除的日期",
        ),
        C("birthday", "生日", "Birthday", T.DATE, ("出生日期", "客户生日"), width=11),
        C(
            "move_in",
            "入伙日期",
            "Move-in Date",
            T.DATE,
            ("入住日期", "交房日期", "入伙"),
            width=11,
        ),
        C(
            "warranty_end",
            "保修到期日",
            "Warranty Ends",
            T.DATE,
            ("保修期至", "质保到期日", "保修截止日期"),
            width=11,
            note="质量保修期的最后一天：保修期内定期电话抽查回访",
        ),
        C(
            "preferred_time",
            "方便回访时间",
            "Preferred Call Time",
            T.TEXT,
            ("方便联系时间", "回访时间偏好", "Best Time"),
            width=12,
            note="上午 / 下午 / 晚上，或 14:00-17:00",
        ),
        C(
            "no_sms",
            "不接受短信",
            "No SMS",
            T.BOOL,
            ("拒收短信", "不发短信"),
            YES_NO,
            width=8,
        ),
    ),
    computed=(
        C(
            "next_routine",
            "下次例行回访（自动计算）",
            "Next Routine Call (computed)",
            T.DATE,
            width=14,
            computed=True,
            note="公式：按客户类别的例行回访间隔，从最近一次成功回访算起，遇节假日提前到上一个工作日",
        ),
        C(
            "routine_status",
            "回访状态（自动计算）",
            "Call Status (computed)",
            T.TEXT,
            width=11,
            computed=True,
            note="公式：逾期 / 今日 / 本周 / 正常",
        ),
        # the steps of the routine date, each a formula of its own (hidden columns)
        C(
            "routine_from",
            "例行起算日（自动计算）",
            "Routine From (computed)",
            T.DATE,
            width=0,
            computed=True,
        ),
        C(
            "routine_last",
            "最近成功或拒访（自动计算）",
            "Last Reached or Refused (computed)",
            T.DATE,
            width=0,
            computed=True,
        ),
        C(
            "routine_resched",
            "其后改约（自动计算）",
            "Later Reschedule (computed)",
            T.DATE,
            width=0,
            computed=True,
        ),
        C(
            "routine_missed",
            "其后未接通（自动计算）",
            "Later No Answer (computed)",
            T.DATE,
            width=0,
            computed=True,
        ),
        C(
            "routine_raw",
            "例行到期未顺延（自动计算）",
            "Routine Due Unmoved (computed)",
            T.DATE,
            width=0,
            computed=True,
        ),
    ),
)

CALLS = SheetDef(
    "calls",
    "回访记录表",
    "Calls",
    "tblCalls",
    aliases=("客户回访记录表", "回访记录", "客户回访记录", "回访登记表", "Call Log", "Follow-ups"),
    columns=(
        C("record_id", "记录编号", "Record ID", T.ID, ("编号", "序号", "Record"), width=13),
        C(
            "customer_id",
            "客户编号",
            "Customer ID",
            T.ID,
            ("客户ID", "客户代码"),
            required=True,
            width=11,
        ),
        C(
            "call_date",
            "回访日期",
            "Call Date",
            T.DATE,
            ("日期", "Date", "通话日期", "来电日期", "联系日期"),
            required=True,
            width=11,
        ),
        C("call_time", "回访时间", "Call Time", T.TIME, ("时间", "Time"), width=9),
        C("method", "回访方式", "Method", T.ENUM, ("方式",), METHODS, required=True, width=9),
        C(
            "call_type",
            "回访类型",
            "Call Type",
            T.ENUM,
            ("类型", "回访类别", "Type"),
            CALL_TYPES,
            required=True,
            width=10,
        ),
        C("event_id", "事项编号", "Event ID", T.ID, ("关联事项", "Event"), width=11),
        C("related_date", "关联日期", "Related Date", T.DATE, ("事项日期",), width=11),
        C(
            "complaint_level",
            "投诉等级",
            "Complaint Level",
            T.ENUM,
            ("投诉级别",),
            COMPLAINT_LEVELS,
            width=9,
        ),
        C(
            "caller",
            "回访人",
            "Caller",
            T.TEXT,
            ("回访人员", "经办人", "回访员", "客服", "Agent", "Handled By"),
            required=True,
            width=9,
        ),
        C(
            "content",
            "回访内容",
            "Content",
            T.TEXT,
            ("内容", "回访记录", "Notes", "Call Notes", "Summary", "通话内容", "通话记录"),
            required=True,
            width=28,
        ),
        C(
            "satisfaction",
            "满意度",
            "Satisfaction",
            T.SATISFACTION,
            ("满意程度", "评分"),
            SATISFACTION,
            width=8,
        ),
        C(
            "issue",
            "客户反映问题",
            "Customer Issue",
            T.TEXT,
            ("反映问题", "问题", "客户意见", "Issue"),
            width=18,
        ),
        C(
            "issue_status",
            "问题状态",
            "Issue Status",
            T.ENUM,
            ("处理状态", "是否解决"),
            ISSUE_STATUS,
            width=9,
        ),
        C(
            "result",
            "结果",
            "Result",
            T.ENUM,
            ("回访结果", "Outcome", "Call Result"),
            RESULTS,
            width=8,
        ),
        C(
            "next_date",
            "下次回访日期",
            "Next Call",
            T.DATE,
            ("下次回访", "预约日期", "Next Call Date"),
            width=12,
        ),
        C(
            "signature",
            "客户签名",
            "Customer Signature",
            T.TEXT,
            ("签名", "客户签字", "Signature"),
            width=10,
        ),
        C(
            "responsible",
            "责任对象",
            "Responsible Party",
            T.TEXT,
            ("责任人", "被投诉对象", "责任部门"),
            width=10,
        ),
        C("reviewer", "审核人", "Reviewer", T.TEXT, ("审核",), width=9),
        C("review_note", "审核意见", "Review Note", T.TEXT, ("审核结果",), width=14),
        C(
            "report_date",
            "回访报告日期",
            "Visit Report Date",
            T.DATE,
            ("报告日期", "回访报告表日期", "报告填写日期"),
            width=12,
            note="上门回访后填写《客户回访报告表》的日期（回访第二天）",
        ),
        C(
            "escalated_on",
            "上报主管日期",
            "Reported to Head On",
            T.DATE,
            ("上报日期", "报告主管日期"),
            width=12,
            note="客户反映的问题当日报告部门主管的日期",
        ),
    ),
)

EVENTS = SheetDef(
    "events",
    "回访事项",
    "Triggers",
    "tblEvents",
    aliases=("投诉记录", "事项", "回访事件", "Events", "Follow-up Triggers"),
    columns=(
        C(
            "event_id",
            "事项编号",
            "Event ID",
            T.ID,
            ("编号", "投诉编号", "ID"),
            required=True,
            width=11,
        ),
        C(
            "customer_id",
            "客户编号",
            "Customer ID",
            T.ID,
            ("客户ID", "客户代码"),
            required=True,
            width=11,
        ),
        C(
            "event_type",
            "事项类型",
            "Event Type",
            T.ENUM,
            ("类型", "Type"),
            EVENT_TYPES,
            required=True,
            width=10,
        ),
        C(
            "event_date",
            "事项日期",
            "Event Date",
            T.DATE,
            ("日期", "Date", "发生日期"),
            required=True,
            width=11,
        ),
        C("planned_end", "计划竣工日期", "Planned Completion", T.DATE, ("计划竣工",), width=12),
        C("actual_end", "实际竣工日期", "Actual Completion", T.DATE, ("实际竣工",), width=12),
        C(
            "complaint_level",
            "投诉等级",
            "Complaint Level",
            T.ENUM,
            ("投诉级别",),
            COMPLAINT_LEVELS,
            width=9,
        ),
        C("proposal_level", "提案级别", "Proposal Level", T.ENUM, (), PROPOSAL_LEVELS, width=10),
        C("anonymous", "匿名", "Anonymous", T.BOOL, ("是否匿名",), YES_NO, width=7),
        C(
            "responsible",
            "责任对象",
            "Responsible Party",
            T.TEXT,
            ("责任人", "被投诉对象"),
            width=10,
        ),
        C("owner", "负责人", "Owner", T.TEXT, ("业务员", "经办人"), width=9),
        C("description", "事项说明", "Description", T.TEXT, ("说明", "内容", "备注"), width=24),
        C("status", "状态", "Status", T.ENUM, ("事项状态", "办结状态"), EVENT_STATUS, width=8),
        C(
            "closing_note",
            "办结说明",
            "Closing Note",
            T.TEXT,
            ("撤销原因", "办结情况"),
            width=20,
            note="已办结但没有相应回访，或已撤销时，写明原因",
        ),
        C(
            "reply_only",
            "复函",
            "Reply Letter Only",
            T.BOOL,
            ("仅需复函", "以复函答复"),
            YES_NO,
            width=7,
            note="只需复函答复的投诉：不打电话回访，但要登记复函日期",
        ),
        C("reply_date", "复函日期", "Reply Sent On", T.DATE, ("回函日期",), width=11),
        C(
            "feedback_form",
            "意见反馈表",
            "Feedback Form",
            T.BOOL,
            ("客户意见反馈表", "已交反馈表"),
            YES_NO,
            width=9,
        ),
    ),
    computed=(
        C(
            "follow_up_due",
            "应回访日期（自动计算）",
            "Follow-up Due (computed)",
            T.DATE,
            width=14,
            computed=True,
            note="公式：按事项类型的规定天数从事项日期算起（工程为开工后的第一次回访）",
        ),
        C(
            "follow_up_status",
            "事项回访状态（自动计算）",
            "Follow-up Status (computed)",
            T.TEXT,
            width=12,
            computed=True,
            note="公式：已回访 / 已办结 / 逾期 / 今日 / 本周 / 正常",
        ),
    ),
)

STAFF = SheetDef(
    "staff",
    "人员",
    "Staff",
    "tblStaff",
    aliases=("人员名单", "员工", "员工名单", "人员表", "People"),
    columns=(
        C("name", "姓名", "Name", T.TEXT, ("人员", "员工", "员工姓名"), required=True, width=10),
        C("role", "角色", "Role", T.ENUM, ("职务", "岗位"), ROLES, width=10),
        C(
            "daily_capacity",
            "每日回访上限",
            "Daily Capacity",
            T.INT,
            ("每日上限", "日回访量", "Capacity"),
            width=12,
        ),
        C("status", "状态", "Status", T.ENUM, ("在职状态",), STAFF_STATUS, width=7),
        C("phone", "联系电话", "Phone", T.PHONE, ("电话", "手机"), width=14),
        C("department", "部门", "Department", T.TEXT, (), width=10),
        C("joined", "入职日期", "Joined", T.DATE, (), width=11),
        C("left", "离职日期", "Left On", T.DATE, (), width=11),
    ),
)

RULES = SheetDef(
    "rules",
    "规则",
    "Rules",
    "tblRules",
    aliases=("参数", "Policy", "Settings"),
    columns=(
        C("key", "参数", "Setting", T.TEXT, ("规则", "项目", "Key"), required=True, width=26),
        C("value", "值", "Value", T.TEXT, ("取值", "数值"), width=12),
        C("description", "说明", "Description", T.TEXT, ("备注",), width=48),
    ),
)

HOLIDAYS = SheetDef(
    "holidays",
    "节假日",
    "Holidays",
    "tblHolidays",
    aliases=("假日", "节假日调整", "Calendar"),
    optional=True,
    columns=(
        C("date", "日期", "Date", T.DATE, (), required=True, width=11),
        C("kind", "类型", "Kind", T.ENUM, ("休息/上班",), DAY_KINDS, required=True, width=9),
        C("note", "说明", "Note", T.TEXT, ("备注",), width=20),
    ),
)

FOLLOW_UP_RULES = SheetDef(
    "follow_up_rules",
    "回访规则",
    "Follow-up Rules",
    "tblFollowUpRules",
    aliases=("回访规则表", "Follow-up Rule Table", "FollowUpRules"),
    optional=True,
    columns=(
        C("code", "规则编号", "Code", T.ID, ("编号", "规则代码", "Rule"), required=True, width=9),
        C("name", "名称", "Name", T.TEXT, ("规则名称",), width=22),
        C("trigger", "触发", "Trigger", T.ENUM, ("触发方式", "触发条件"), RULE_TRIGGERS, width=10),
        C("trigger_value", "触发值", "Trigger Value", T.TEXT, ("触发内容",), width=16),
        C("offset", "期限", "Offset", T.INT, ("回访期限", "时限"), width=7),
        C("unit", "单位", "Unit", T.ENUM, ("期限单位",), RULE_UNITS, width=8),
        C("repeat_months", "重复周期(月)", "Repeat (months)", T.INT, ("重复周期",), width=10),
        C(
            "window_workdays",
            "有效期(工作日)",
            "Window (working days)",
            T.INT,
            ("有效期", "回访有效期"),
            width=11,
        ),
        C("caller", "回访人", "Caller", T.ENUM, ("由谁回访",), RULE_CALLERS, width=11),
        C("method", "方式", "Method", T.ENUM, ("回访方式",), RULE_METHODS, width=7),
        C("target_pct", "目标覆盖率%", "Target %", T.TEXT, ("目标覆盖率", "目标%"), width=10),
        C("hard", "硬期限", "Hard Deadline", T.BOOL, ("硬性期限",), YES_NO, width=8),
        C("call_types", "回访类型", "Call Types", T.TEXT, ("满足的回访类型",), width=16),
        C("classes", "客户类别", "Classes", T.TEXT, ("适用类别",), width=9),
        C("enabled", "启用", "Enabled", T.BOOL, ("是否启用",), YES_NO, width=6),
        C("note", "说明", "Note", T.TEXT, ("备注",), width=30),
    ),
)

SHEETS: tuple[SheetDef, ...] = (CUSTOMERS, CALLS, EVENTS, STAFF, RULES, HOLIDAYS, FOLLOW_UP_RULES)
BY_KEY = {s.key: s for s in SHEETS}

# Words in a header that say a row is one sale or payment, not one customer: a sheet where
# few customers repeat over many rows, with a date and one of these, is a list of transactions.
AMOUNT_WORDS = (
    "金额",
    "价格",
    "单价",
    "总价",
    "数量",
    "消费",
    "实收",
    "应收",
    "付款",
    "商品",
    "amount",
    "price",
    "total",
    "qty",
    "quantity",
    "product",
    "item",
)
# Words in a header that say it holds a date (purchase date, 下单时间…), besides our date columns.
DATE_WORDS = ("日期", "时间", "date", "time")

# Sheets the tool adds to a staff book (a person's 待回访 list, with names and phones to call):
# never read back as data, however much their headers look like a customer book's.
# The last two are very hidden: split_writer.BASE_SHEET (a staff book's rows as sent) and
# mastercheck.CHECK_SHEET (what a master was written with).
# 工作日历 (followup_xl/formulas.py: the non-working days the book's formulas count with) is hidden.
TOOL_SHEETS = frozenset(
    {"待回访", "Due", "工作日历", "Work Calendar", "_followup_base", "_followup_check"}
)

# Columns the master adds to every record so a finding can be traced to a staff book.
PROVENANCE = (
    C("src_file", "来源文件", "Source File", T.TEXT, (), width=20),
    C("src_sheet", "来源工作表", "Source Sheet", T.TEXT, (), width=12),
    C("src_row", "来源行", "Source Row", T.INT, (), width=8),
)
# The master's short digest of each record as written (followup_xl/fingerprint.py): hand edits show.
FINGERPRINT = C("fingerprint", "校验码", "Check Code", T.TEXT, (), width=10)


def choice_index(choices: tuple[Choice, ...]) -> dict[str, str]:
    """Folded spelling → canonical Chinese value, for every spelling we accept."""
    out: dict[str, str] = {}
    for ch in choices:
        for name in (ch.zh, ch.en, *ch.aliases):
            out.setdefault(fold(name), ch.zh)
    return out


def header_index(sheet: SheetDef) -> dict[str, str]:
    """Folded header spelling → column key. Own names win over other columns' aliases."""
    out: dict[str, str] = {}
    for col in sheet.columns:
        for name in (col.zh, col.en):
            out[fold(name)] = col.key
    for col in (*sheet.columns, *PROVENANCE, FINGERPRINT, *sheet.computed):
        for name in col.names():
            out.setdefault(fold(name), col.key)
    return out


def computed_keys() -> frozenset[str]:
    """The keys of every formula column (SheetDef.computed): what a reader never takes as data."""
    return frozenset(c.key for s in SHEETS for c in s.computed)


def sheet_by_name(name: str) -> SheetDef | None:
    f = fold(name)
    for s in SHEETS:
        if any(fold(n) == f for n in s.names()):
            return s
    return None
