"""A believable office, generated deterministically: the demo's and the tests' data.

Six staff, a manager and a department head; a few hundred customers; six months
of calls and events up to 2026-11-20; and the entry mistakes real staff make
(planted on purpose, listed in ``PLANTED`` so tests can look for each one).
Half the staff books use our template; the others are laid out the way people
make sheets by hand (a merged title row, a 制表人 line, alias headers, text
dates and phones typed every which way).
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, field

from .. import schema
from ..calendar import WorkCalendar
from ..io.atomic import atomic_output
from ..io.write.template import write_staff_workbook
from ..io.xlsx import Formats, new_workbook
from ..models import Book, Call, Customer, Event, RuleRow, Staff
from ..settings import describe_settings

START = dt.date(2026, 5, 25)
END = dt.date(2026, 11, 20)  # last day with calls
AS_OF = dt.date(2026, 11, 22)  # the demo's "today": a Sunday, when the schedule is made
SEED = 20261122
FIXED_TIME = dt.datetime(2026, 11, 20, 18, 0)  # the books' creation stamp: same office, same bytes

STAFF = [
    ("张伟", "员工", 12),
    ("王芳", "员工", 12),
    ("李娜", "员工", 10),
    ("刘洋", "员工", 12),
    ("陈静", "员工", 10),
    ("杨磊", "员工", 12),
    ("孙丽", "部门主管", 8),
    ("赵刚", "公司经理", 5),
]
SALES = [s[0] for s in STAFF[:6]]
HEAD, MANAGER = "孙丽", "赵刚"
# Books laid out by hand rather than from the template.
MESSY_OWNERS = {"李娜", "陈静", "杨磊"}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红志文斌鹏辉宇浩凯健俊帆晨欣怡"
COMPANY_WORDS = [
    "华兴",
    "恒达",
    "金盛",
    "鑫源",
    "宏图",
    "远航",
    "瑞丰",
    "东方",
    "新世纪",
    "嘉禾",
    "永盛",
    "天成",
    "博雅",
    "创新",
    "联合",
]
COMPANY_KINDS = [
    "建材有限公司",
    "装饰工程公司",
    "商贸有限公司",
    "物业管理处",
    "科技有限公司",
    "家居店",
]
ISSUES = [
    "墙面开裂",
    "水管渗漏",
    "交付延期",
    "价格疑问",
    "发票未到",
    "售后响应慢",
    "施工噪音",
    "材料色差",
    "安装不规范",
    "保修范围不清",
]
CONTENT = [
    "了解使用情况，客户反馈良好",
    "询问近期需求，客户暂无新需求",
    "介绍新产品，客户表示有兴趣",
    "回访售后服务满意度",
    "确认问题处理结果",
    "节日问候并告知优惠活动",
    "核实上次拜访内容",
]
AREA_CODES = ["0755", "020", "021", "010", "0571", "028"]
MOBILE_PREFIXES = [
    "138",
    "139",
    "136",
    "137",
    "135",
    "158",
    "159",
    "188",
    "186",
    "189",
    "177",
    "199",
    "150",
    "152",
]


@dataclass
class Office:
    books: dict[str, Book] = field(default_factory=dict)  # owner → that person's book
    planted: list[dict] = field(default_factory=list)  # mistakes put in on purpose

    @property
    def customers(self) -> list[Customer]:
        return [c for b in self.books.values() for c in b.customers]

    @property
    def calls(self) -> list[Call]:
        return [c for b in self.books.values() for c in b.calls]


def _workdays(rng_start: dt.date, rng_end: dt.date) -> list[dt.date]:
    d, out = rng_start, []
    while d <= rng_end:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def generate(
    seed: int = SEED,
    customers_per_owner: int = 60,
    owners: list[str] | None = None,
    start: dt.date = START,
    end: dt.date = END,
    plant_mistakes: bool = True,
) -> Office:
    """The example office. Same seed, same office, every time."""
    rng = random.Random(seed)
    owners = owners or SALES
    office = Office()
    used_phones: set[str] = set()
    staff_rows = [
        Staff.model_construct(
            src=None,
            bad={},
            extra={},
            name=n,
            role=r,
            daily_capacity=cap,
            status="在职",
            phone=f"1391{rng.randrange(10**7):07d}",
            department="客服部",
            joined=dt.date(2024, 3, 1),
        )
        for n, r, cap in STAFF
    ]
    rules = [
        RuleRow.model_construct(src=None, bad={}, extra={}, **r) for r in describe_settings("zh")
    ]
    next_cid = 1001
    for oi, owner in enumerate(owners):
        book = Book(path=f"{owner}.xlsx", staff=list(staff_rows), rules=list(rules))
        office.books[owner] = book
        for _k in range(customers_per_owner):
            cid = f"K{next_cid}"
            next_cid += 1
            klass = rng.choices("ABC", weights=(2, 3, 5))[0]
            while True:
                if rng.random() < 0.85:
                    phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
                else:
                    ac = rng.choice(AREA_CODES)
                    phone = f"{ac}-{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
                if phone not in used_phones:
                    used_phones.add(phone)
                    break
            if rng.random() < 0.5:
                name = rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_KINDS)
                contact = rng.choice(SURNAMES) + rng.choice(["经理", "总", "工", "主任"])
            else:
                name = (
                    rng.choice(SURNAMES)
                    + rng.choice(GIVEN)
                    + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
                )
                contact = name
            created = start - dt.timedelta(days=rng.randrange(30, 700))
            last_deal = (
                created + dt.timedelta(days=rng.randrange(0, 600)) if rng.random() < 0.7 else None
            )
            if last_deal and last_deal > end:
                last_deal = end - dt.timedelta(days=rng.randrange(5, 200))
            status = "废除" if rng.random() < 0.03 else "正常"
            book.customers.append(
                Customer.model_construct(
                    src=None,
                    bad={},
                    extra={},
                    customer_id=cid,
                    name=name,
                    contact=contact,
                    phone=phone,
                    klass=klass,
                    ctype=rng.choice(["大客户", "重要客户", "一般客户", "一般客户", "机关/组织"]),
                    owner=owner,
                    created=created,
                    last_deal=last_deal,
                    status=status,
                    note=None,
                    filed_by=owner,
                    verified_by=HEAD if rng.random() < 0.9 else None,
                    verified_on=max(
                        created + dt.timedelta(days=rng.randrange(1, 20)),
                        end - dt.timedelta(days=rng.randrange(0, 340)),
                    ),
                )
            )
        _events_and_calls(rng, book, owner, oi, start, end)
        _closing_and_do_not_call(random.Random(f"{seed}-close-{owner}"), book)
        _seed_duties(random.Random(f"{seed}-seed-duties-{owner}"), book, owner, oi, end)
        _reports_kept(random.Random(f"{seed}-reports-{owner}"), book)
    if plant_mistakes:
        _plant(rng, office)
    return office


REPORTS_KEPT_FROM = dt.date(2026, 6, 1)  # the office began filling the two new dates in June


def _reports_kept(rng: random.Random, book: Book) -> None:
    """P19/P20 (docs/seed-duties.md): from June the office fills 回访报告日期 the day after a visit
    and 上报主管日期 the day a problem was raised — mostly on time, a few late, a few forgotten, so
    the due list and the 月报 show both rules at work (its own random stream: nothing else moves)."""
    for call in book.calls:
        if call.call_date is None or call.call_date < REPORTS_KEPT_FROM or call.result != "成功":
            continue
        if call.method == "上门":
            roll = rng.random()
            if roll < 0.9:
                call.report_date = call.call_date + dt.timedelta(days=1)
            elif roll < 0.95:
                call.report_date = call.call_date + dt.timedelta(days=rng.randrange(3, 6))
        if call.issue:
            roll = rng.random()
            if roll < 0.85:
                call.escalated_on = call.call_date
            elif roll < 0.95:
                call.escalated_on = call.call_date + dt.timedelta(days=rng.randrange(1, 3))


def _caller_for(level: str | None, owner: str) -> str:
    return {"重要": HEAD, "重大": MANAGER}.get(level or "", owner)


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _next_weekday(day: dt.date, n: int = 1) -> dt.date:
    for _ in range(n):
        day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
    return day


class _Diary:
    """One person's calls and events as they are made, numbered in the order made (the numbers,
    like every draw from ``rng``, are what keeps the example office byte-identical)."""

    def __init__(self, rng: random.Random, book: Book, owner: str, oi: int, end: dt.date):
        self.rng, self.book, self.owner, self.oi, self.end = rng, book, owner, oi, end
        self.seq = self.ev_seq = 0

    def call(self, c: Customer, day: dt.date, call_type: str, **kw) -> Call:
        rng = self.rng
        self.seq += 1
        result = (
            kw.pop("result", None)
            or rng.choices(["成功", "未接通", "拒访", "改约"], weights=(86, 9, 2, 3))[0]
        )
        method = (
            kw.pop("method", None)
            or rng.choices(["电话", "上门", "微信", "短信"], weights=(80, 8, 8, 4))[0]
        )
        ok = result == "成功"
        issue = kw.pop("issue", None)
        if issue is None and ok and rng.random() < 0.12:
            issue = rng.choice(ISSUES)
        issue_status = None
        next_date = None
        if issue:
            issue_status = "已解决" if rng.random() < 0.7 else "未解决"
            if issue_status == "未解决":
                next_date = day + dt.timedelta(days=rng.randrange(1, 4))
        if result == "改约":
            next_date = day + dt.timedelta(days=rng.randrange(2, 8))
        call = Call.model_construct(
            src=None,
            bad={},
            extra={},
            record_id=f"R{self.oi + 1}{self.seq:05d}" if rng.random() < 0.9 else None,
            customer_id=c.customer_id,
            call_date=day,
            call_time=dt.time(rng.randrange(9, 18), rng.choice([0, 10, 15, 20, 30, 40, 45, 50])),
            method=method,
            call_type=call_type,
            caller=kw.pop("caller", self.owner),
            content=rng.choice(CONTENT)
            if ok
            else (
                ("电话无人接听" if method == "电话" else "信息未回复")
                if result == "未接通"
                else "客户另约时间"
                if result == "改约"
                else "客户拒绝回访"
            ),
            satisfaction=rng.choices([5, 4, 3, 2, 1], weights=(40, 35, 15, 7, 3))[0]
            if ok
            else None,
            issue=issue,
            issue_status=issue_status,
            result=result,
            next_date=next_date,
            signature=(c.contact or c.name) if method == "上门" else None,
            **kw,
        )
        self.book.calls.append(call)
        return call

    def event(self, c: Customer, etype: str, day: dt.date, **kw) -> Event:
        self.ev_seq += 1
        ev = Event.model_construct(
            src=None,
            bad={},
            extra={},
            event_id=f"E{self.oi + 1}{self.ev_seq:04d}",
            customer_id=c.customer_id,
            event_type=etype,
            event_date=day,
            owner=self.owner,
            **kw,
        )
        self.book.events.append(ev)
        return ev

    def follow_through(self, c: Customer, call: Call, called: dt.date, depth: int = 0) -> None:
        """What an office that keeps up does next after ``call`` (made on ``called``): redial the
        next working day, call on the agreed day, call again about an open issue — most of the
        time (the rest is the realistic tail)."""
        if depth > 2 or self.rng.random() < 0.1:
            return
        if call.result == "未接通":
            when = _next_weekday(called)
        elif (call.result == "改约" and call.next_date) or (
            call.issue_status == "未解决" and call.next_date
        ):
            when = _weekday_on_or_before(call.next_date)
        else:
            return
        if when <= called or when > self.end:
            return
        again = self.call(
            c,
            when,
            (call.call_type or "例行") if call.result != "成功" else "例行",
            issue=call.issue if call.issue_status == "未解决" else None,
            event_id=call.event_id if call.result != "成功" else None,
        )
        if call.issue_status == "未解决" and again.issue and self.rng.random() < 0.8:
            again.issue_status, again.next_date = "已解决", None
        self.follow_through(c, again, when, depth + 1)


CADENCE = {"A": 7, "B": 14, "C": 30}
EVENT_WEIGHTS = {
    "成交": 20,
    "投诉": 10,
    "维修": 12,
    "活动": 15,
    "咨询": 20,
    "工程": 6,
    "提案": 4,
    "出差拜访": 6,
}
# follow-ups actually made: an office that mostly keeps up, with a tail of late and forgotten ones
FOLLOWED = {
    "成交": 0.92,
    "投诉": 0.95,
    "维修": 0.8,
    "活动": 0.6,
    "咨询": 0.92,
    "工程": 0.95,
    "提案": 0.9,
    "出差拜访": 0.92,
}
CALL_TYPE = {
    "成交": "成交",
    "维修": "维修",
    "活动": "活动",
    "咨询": "咨询",
    "提案": "提案反馈",
    "出差拜访": "出差核实",
}


def _events_and_calls(
    rng: random.Random, book: Book, owner: str, oi: int, start: dt.date, end: dt.date
) -> None:
    diary = _Diary(rng, book, owner, oi, end)
    days = _workdays(start, end)
    live = [c for c in book.customers if c.status == "正常"]
    for c in live:
        _routine_calls(diary, c, start, end)
    for _ in range(len(live) // 2):
        c = rng.choice(live)
        etype, day, kw = _an_event(rng, days, end)
        ev = diary.event(c, etype, day, **kw)
        if kw.get("anonymous") or rng.random() > FOLLOWED[etype]:
            continue
        _follow_up(diary, c, ev.event_id, etype, day, kw)
    for _ in range(max(1, len(days) // 7)):
        c = rng.choice(live)
        diary.call(c, rng.choice(days), "约访", method="上门", result="成功")
    book.calls[:] = [x for x in book.calls if x.call_date and x.call_date <= end]  # all dated
    book.calls.sort(key=lambda x: (x.call_date, x.call_time))
    book.events.sort(key=lambda x: x.event_date or dt.date.min)  # all dated


def _routine_calls(diary: _Diary, c: Customer, start: dt.date, end: dt.date) -> None:
    """Calls at the class cadence, a little early rather than late, on weekdays."""
    rng = diary.rng
    every = CADENCE[c.klass or "C"]  # every generated customer has a class
    day = start + dt.timedelta(days=rng.randrange(0, every))
    while day <= end:
        visit = _weekday_on_or_before(day)
        made = diary.call(c, visit, "例行")
        diary.follow_through(c, made, visit)
        day = visit + dt.timedelta(days=every - rng.choices([0, 1, 2, -3], (5, 3, 2, 1))[0])


def _an_event(rng: random.Random, days: list[dt.date], end: dt.date) -> tuple[str, dt.date, dict]:
    """An event's type, day and the fields its type has (complaint level, planned end…)."""
    etype = rng.choices(list(EVENT_WEIGHTS), weights=list(EVENT_WEIGHTS.values()))[0]
    day = rng.choice(days)
    kw: dict = {}
    if etype == "投诉":
        kw["complaint_level"] = rng.choices(["一般", "重要", "重大"], weights=(70, 25, 5))[0]
        kw["anonymous"] = rng.random() < 0.08
        kw["responsible"] = rng.choice(["设计师", "质检员", "施工队", "客服", "销售"])
        kw["description"] = rng.choice(ISSUES)
    elif etype == "工程":
        kw["planned_end"] = day + dt.timedelta(days=rng.randrange(40, 120))
        if kw["planned_end"] <= end and rng.random() < 0.6:
            kw["actual_end"] = kw["planned_end"] + dt.timedelta(days=rng.randrange(0, 20))
    elif etype == "提案":
        kw["proposal_level"] = rng.choice(["一般", "一般", "副总审批", "重大"])
    return etype, day, kw


def _follow_up(
    diary: _Diary, c: Customer, event_id: str | None, etype: str, day: dt.date, kw: dict
) -> None:
    """The calls an event asks for, made: a complaint at its level, a project at each stage, the
    rest once (a deal in the first week of the next month, now and then a few days late)."""
    rng = diary.rng
    if etype == "投诉":
        when = _weekday_on_or_before(day + dt.timedelta(days=rng.randrange(0, 4)))
        diary.call(
            c,
            max(when, day),
            "投诉",
            event_id=event_id,
            related_date=day,
            complaint_level=kw["complaint_level"],
            caller=_caller_for(kw["complaint_level"], diary.owner),
            responsible=kw["responsible"],
            result="成功",
        )
        return
    if etype == "工程":
        stages = [
            ("工程开工", day + dt.timedelta(days=10)),
            ("工程中期", day + (kw["planned_end"] - day) / 2),
            ("工程竣工", kw["planned_end"]),
        ]
        if kw.get("actual_end", kw["planned_end"]) > kw["planned_end"]:
            stages.append(("工程竣工", kw["actual_end"]))
        for call_type, when in stages:
            if rng.random() < 0.93:
                diary.call(
                    c,
                    _weekday_on_or_before(when),
                    call_type,
                    event_id=event_id,
                    related_date=day,
                    result="成功",
                )
        return
    if etype == "成交":
        first = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        when = first + dt.timedelta(days=rng.choices([0, 2, 4, 6, 9], (3, 3, 3, 2, 1))[0])
    else:
        lag = {"咨询": rng.randrange(3, 9), "出差拜访": rng.randrange(1, 3)}.get(
            etype, rng.randrange(2, 16)
        )
        when = day + dt.timedelta(days=lag)
    diary.call(
        c,
        max(_weekday_on_or_before(when), day),
        CALL_TYPE[etype],
        event_id=event_id,
        related_date=day,
        result="成功",
    )


def _closing_and_do_not_call(rng: random.Random, book: Book) -> None:
    """What staff record besides calls: events closed (mostly after the call, now and then by other
    means, with a note), one withdrawn, and a customer who asked not to be called any more."""
    called = {k.event_id for k in book.calls if k.event_id and k.result == "成功"}
    for ev in book.events:
        if ev.event_type == "工程" and not ev.actual_end:
            continue
        if ev.event_id in called and rng.random() < 0.5:
            ev.status = "已办结"
        elif (
            ev.event_id not in called
            and ev.event_type in ("维修", "活动", "提案")
            and rng.random() < 0.3
        ):
            ev.status, ev.closing_note = (
                "已办结",
                rng.choice(["客户来电确认已处理", "客户到店当面确认", "微信确认，客户满意"]),
            )
    open_events = [e for e in book.events if not e.status and e.event_type in ("活动", "咨询")]
    if open_events:
        ev = rng.choice(open_events)
        ev.status, ev.closing_note = "已撤销", "客户取消，活动未举办"
    calls_of: dict[str | None, list[Call]] = {}
    for k in book.calls:
        calls_of.setdefault(k.customer_id, []).append(k)
    candidates = [
        c
        for c in book.customers
        if c.status == "正常" and len(calls_of.get(c.customer_id, ())) >= 2
    ]
    if candidates:
        c = rng.choice(candidates)
        asked = sorted(calls_of[c.customer_id], key=lambda k: k.call_date or dt.date.min)[-2]
        asked_on = asked.call_date or dt.date.min  # every generated call has a date
        (
            asked.result,
            asked.content,
            asked.satisfaction,
            asked.issue,
            asked.issue_status,
            asked.next_date,
        ) = "拒访", "客户要求今后不再回访", None, None, None, None
        book.calls[:] = [
            k
            for k in book.calls
            if k is asked
            or k.customer_id != c.customer_id
            or (k.call_date or dt.date.min) < asked_on
        ]
        c.status, c.status_since, c.note = "停止回访", asked.call_date, "客户要求停止回访"


PREFERRED_TIMES = ["上午", "下午", "晚上7点后", "工作日9-12点", "周末"]


def _seed_duties(rng: random.Random, book: Book, owner: str, oi: int, end: dt.date) -> None:
    """What the seed duties read (issue 29, docs/seed-duties.md): 生日, 入伙日期 and 保修到期日,
    不接受短信 and 方便回访时间 on the customer book; a 入伙 event for a customer whose 入伙日期
    is filed too, an emergency (突发事件), a finished project whose warranty ended without a
    客户意见反馈表; and the calls staff made for them (入伙, 保修抽查, 生日问候 and festival SMS,
    the manager's 中秋 visits to class A, 成交确认), most but not all. Its own random stream: the rest of the office is drawn as before."""
    diary = _Diary(rng, book, owner, oi, end)
    diary.seq, diary.ev_seq = 70000, len(book.events)  # record numbers no other call or event has
    # (R?7xxxx: the demo story types R190001 in week two)
    live = [c for c in book.customers if c.status == "正常"]
    moved: list[Customer] = []
    for c in live:
        if rng.random() < 0.3:
            c.birthday = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(36 * 365))
        c.no_sms = True if rng.random() < 0.08 else None
        c.preferred_time = rng.choice(PREFERRED_TIMES) if rng.random() < 0.15 else None
        if rng.random() < 0.12:
            c.move_in = START + dt.timedelta(days=rng.randrange((end - START).days - 5))
            c.warranty_end = c.move_in.replace(year=c.move_in.year + 2) - dt.timedelta(days=1)
            moved.append(c)
    for c in moved:
        assert c.move_in is not None  # set above
        if rng.random() < 0.8:
            diary.call(c, _next_weekday(c.move_in, rng.randrange(1, 5)), "入伙")
        check = _next_weekday(c.move_in + dt.timedelta(days=91), rng.randrange(0, 3))
        if check <= end and rng.random() < 0.6:
            diary.call(c, check, "保修抽查")
    for c in live:
        if c.birthday is None or c.no_sms:
            continue
        day = c.birthday.replace(year=AS_OF.year) if c.birthday.month != 2 else None
        if day and AS_OF - dt.timedelta(days=31) <= day <= end and rng.random() < 0.75:
            diary.call(c, _weekday_on_or_before(day), "生日问候", method="短信", result="成功")
    cal = WorkCalendar()
    for festival in cal.festivals(START, end, names=("中秋节", "国庆节")):
        due = cal.add_working_days(festival.first_off, -1)  # the last working day before
        for c in live:
            if not c.no_sms and rng.random() < 0.85:
                day = _weekday_on_or_before(due - dt.timedelta(days=rng.randrange(0, 3)))
                diary.call(c, day, "节日", method="短信", result="成功")
            if festival.name == "中秋节" and c.klass == "A" and rng.random() < 0.7:
                day = _weekday_on_or_before(due - dt.timedelta(days=rng.randrange(1, 8)))
                diary.call(c, day, "节日", method="上门", caller=MANAGER, result="成功")
    for ev in list(book.events):
        if ev.event_type == "成交" and ev.event_date and rng.random() < 0.8:
            day = _next_weekday(ev.event_date)
            if day <= end:
                diary.call(c_of(book, ev.customer_id), day, "成交确认")
    if moved:  # a move-in recorded both ways: the event and the customer's 入伙日期
        c = rng.choice(moved)
        diary.event(c, "入伙", c.move_in or end, description="客户办理入伙手续")
    plain = [c for c in live if c.move_in is None]
    c = rng.choice(plain)
    day = _weekday_on_or_before(end - dt.timedelta(days=rng.randrange(0, 8)))
    diary.event(c, "突发事件", day, description="楼上漏水，已派人连夜处理")
    if rng.random() < 0.5:
        diary.call(c, _next_weekday(day), "突发事件", result="成功")
    if oi % 2 == 0:  # a project finished a year ago whose one-year warranty just ended
        c = rng.choice([c for c in plain if c.warranty_end is None])
        done = _weekday_on_or_before(AS_OF - dt.timedelta(days=rng.randrange(368, 374)))
        c.warranty_end = done.replace(year=done.year + 1)
        diary.event(
            c,
            "工程",
            done - dt.timedelta(days=60),
            planned_end=done,
            actual_end=done,
            status="已办结",
            closing_note="竣工验收，客户签字确认",
            description="厨卫翻新工程",
        )
    book.calls.sort(key=lambda x: (x.call_date, x.call_time))
    book.events.sort(key=lambda x: x.event_date or dt.date.min)


def c_of(book: Book, customer_id: str | None) -> Customer:
    return next(c for c in book.customers if c.customer_id == customer_id)


def _plant(rng: random.Random, office: Office) -> None:
    """The mistakes staff make, each recorded for the tests."""

    def note(owner, sheet, customer_id, code, what):
        office.planted.append(
            {"owner": owner, "sheet": sheet, "customer_id": customer_id, "code": code, "what": what}
        )

    b = office.books["张伟"]
    c = b.customers[3]
    c.phone, c.bad = None, {"phone": "138001380"}
    note("张伟", "customers", c.customer_id, "V2", "mobile with 9 digits")
    call = next(x for x in b.calls if x.method == "电话")
    call.method, call.bad = None, {**call.bad, "method": "电联"}
    note("张伟", "calls", call.customer_id, "V9", "method outside the dropdown")
    b.calls.append(
        Call.model_construct(
            src=None,
            bad={},
            extra={},
            record_id=None,
            customer_id="K9999",
            call_date=dt.date(2026, 11, 18),
            method="电话",
            call_type="例行",
            caller="张伟",
            content="询问近况",
            result="成功",
        )
    )
    note("张伟", "calls", "K9999", "V4", "call for a customer not in the book")
    quiet = next(x for x in b.customers if x.status == "停止回访")
    b.calls.append(
        Call.model_construct(
            src=None,
            bad={},
            extra={},
            record_id=None,
            customer_id=quiet.customer_id,
            call_date=dt.date(2026, 11, 19),
            method="电话",
            call_type="节日",
            caller="张伟",
            content="节日问候",
            result="成功",
        )
    )
    note("张伟", "calls", quiet.customer_id, "V4c", "call to a customer who asked not to be called")
    c = next(x for x in b.customers if x.status == "正常")
    b.events.append(
        Event.model_construct(
            src=None,
            bad={},
            extra={},
            event_id="E19999",
            customer_id=c.customer_id,
            event_type="维修",
            event_date=dt.date(2026, 11, 2),
            owner="张伟",
            description="更换门锁",
            status="已办结",
        )
    )
    note("张伟", "events", c.customer_id, "V17", "event closed without a call or a closing note")

    b = office.books["王芳"]
    call = next(x for x in b.calls if x.result == "成功" and x.method == "电话")
    call.method = "上门"
    call.signature = None
    note("王芳", "calls", call.customer_id, "V6", "visit without the customer's signature")
    call = b.calls[-1]
    call.call_date, call.bad = None, {**call.bad, "call_date": "2026年13月5日"}
    note("王芳", "calls", call.customer_id, "V12", "call date that is no date")
    other = office.books["刘洋"].customers[5]
    dup = b.customers[7]
    dup.phone = other.phone
    note(
        "王芳",
        "customers",
        dup.customer_id,
        "V3",
        "same phone as a customer of 刘洋 (found on merge)",
    )

    b = office.books["李娜"]
    call = next(x for x in b.calls if x.result == "成功" and not x.issue)
    call.issue, call.issue_status, call.next_date = "门锁损坏", "未解决", None
    note("李娜", "calls", call.customer_id, "V7", "open issue without a next call date")
    call = b.calls[-2]
    call.call_date = AS_OF + dt.timedelta(days=9)
    note("李娜", "calls", call.customer_id, "V5", "call date in the future")

    b = office.books["陈静"]
    major = next(
        (x for x in b.calls if x.call_type == "投诉" and x.complaint_level == "重大"), None
    )
    if major is None:
        major = next(x for x in b.calls if x.result == "成功")
        major.call_type, major.complaint_level = "投诉", "重大"
    major.caller = "陈静"
    note("陈静", "calls", major.customer_id, "V8", "major complaint followed up by a staff member")
    cust = b.customers[2]
    cust.name, cust.bad = None, {}
    note("陈静", "customers", cust.customer_id, "V1", "customer without a name")

    b = office.books["杨磊"]
    twin = b.customers[0].model_copy(update={"name": "重复登记的客户", "phone": "13912345678"})
    b.customers.insert(1, twin)
    note("杨磊", "customers", twin.customer_id, "V3", "two customers with the same id")


# --- writing the books ------------------------------------------------------


def write_office(office: Office, folder: str) -> list[str]:
    """One workbook per staff member into ``folder``; returns the paths."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for owner, book in office.books.items():
        path = os.path.join(folder, f"{owner}_客户回访.xlsx")
        if owner in MESSY_OWNERS:
            write_messy_book(book, path, owner)
        else:
            write_staff_workbook(path, "zh", book=book, owner=owner, created=FIXED_TIME)
        paths.append(path)
    return paths


MESSY_HEADERS = {  # how people title columns by hand
    "customers": {
        "customer_id": "客户ID",
        "name": "客户姓名",
        "phone": "手机号码",
        "klass": "等级",
        "owner": "业务员",
        "created": "登记日期",
        "last_deal": "成交日期",
        "status": "客户状态",
        "verified_by": "核实人",
        "filed_by": "建档人",
        "contact": "联系人",
        "ctype": "客户类型",
        "verified_on": "核实日期",
        "note": "备注",
        "status_since": "状态日期",
    },
    "calls": {
        "record_id": "记录编号",
        "customer_id": "客户编号",
        "call_date": "日期",
        "call_time": "时间",
        "method": "方式",
        "call_type": "回访类型",
        "event_id": "事项编号",
        "related_date": "关联日期",
        "complaint_level": "投诉级别",
        "caller": "回访人员",
        "content": "内容",
        "satisfaction": "满意程度",
        "issue": "反映问题",
        "issue_status": "处理状态",
        "result": "回访结果",
        "next_date": "下次回访",
        "signature": "客户签字",
        "responsible": "责任人",
    },
}


def _messy_value(rng: random.Random, key: str, value):
    """Values as people type them: text dates, phones as numbers or with spaces, full-width."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        style = rng.randrange(6)
        if style == 0:
            return f"{value.year}/{value.month}/{value.day}"
        if style == 1:
            return f"{value.year}年{value.month}月{value.day}日"
        if style == 2:
            return f"{value.year}.{value.month:02d}.{value.day:02d}"
        if style == 3:
            return (value - dt.date(1899, 12, 30)).days  # a bare serial number
        return value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M") if rng.random() < 0.5 else value
    if key == "phone" and isinstance(value, str) and value.isdigit() and len(value) == 11:
        style = rng.randrange(5)
        if style == 0:
            return float(value)
        if style == 1:
            return f"{value[:3]} {value[3:7]} {value[7:]}"
        if style == 2:
            return f"+86 {value[:3]}-{value[3:7]}-{value[7:]}"
        if style == 3:
            return value.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        return value
    if key == "klass" and value == "A" and rng.random() < 0.3:
        return "Ａ"
    if key == "satisfaction" and isinstance(value, int) and rng.random() < 0.3:
        return {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}[value]
    return value


def write_messy_book(book: Book, path: str, owner: str) -> str:
    """A hand-made layout: merged title, a 制表人 line, alias headers, a blank row, an extra sheet."""
    rng = random.Random(f"messy-{owner}")
    with atomic_output(path) as tmp:
        wb = new_workbook(tmp, created=FIXED_TIME)
        fmts = Formats(wb)
        notes = wb.add_worksheet("说明")
        notes.write_string(0, 0, f"{owner}的客户资料，请勿外传")
        for key, title in (("customers", "客户名录"), ("calls", "客户回访记录")):
            sheet = schema.BY_KEY[key]
            ws = wb.add_worksheet(sheet.zh if key == "customers" else "回访记录")
            headers = MESSY_HEADERS[key]
            keys = [k for k in sheet.keys if k in headers]
            ws.merge_range(0, 0, 0, len(keys) - 1, f"{owner} {title}", fmts.get("title"))
            ws.write_string(1, 0, f"制表人：{owner}    制表日期：2026年11月20日")
            for j, k in enumerate(keys):
                ws.write_string(3, j, headers[k], fmts.get("bold"))
            r = 4
            for i, rec in enumerate(book.records(key)):
                if i == 5:
                    r += 1  # a blank row in the middle
                for j, k in enumerate(keys):
                    v = _messy_value(rng, k, rec.raw(k) if k not in rec.bad else rec.bad[k])
                    if v is None:
                        continue
                    if isinstance(v, dt.time):
                        ws.write_datetime(r, j, v, fmts.get("time"))
                    elif isinstance(v, dt.date):
                        ws.write_datetime(r, j, v, fmts.get("date"))
                    elif isinstance(v, (int, float)) and not isinstance(v, bool):
                        ws.write_number(r, j, v)
                    else:
                        ws.write_string(r, j, str(v))
                r += 1
        # events, staff and rules as in the template (people copy those sheets over)
        from ..io.xlsx import spec_for, write_table

        for sheet in (schema.EVENTS, schema.STAFF, schema.RULES):
            recs = book.records(sheet.key)
            write_table(wb, spec_for(sheet, ([r.raw(k) for k in sheet.keys] for r in recs)), fmts)
        wb.close()
    return path


def main(folder: str = "examples/office") -> None:
    """Regenerate the committed example office (examples/generate.py calls this)."""
    office = generate()
    for p in write_office(office, folder):
        print(p)
