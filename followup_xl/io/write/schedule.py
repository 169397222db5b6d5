"""The 回访排期表 workbook: a summary, one printable sheet per person with an approval
column and a signature line (the calls in calling order with the customer's 方便时间, then the
person's 待办: reports and replies, which are not calls), the 排不下 list, and the 短信名单 (the
week's greetings by text, with the customers to greet by phone instead underneath) — what a
sales manager signs on Sunday."""

from __future__ import annotations

import datetime as dt
import os

from ...messages import by_lang, labels, localize, render, table
from ...privacy import mask_value
from ...schedule import Plan, PlanItem
from ..atomic import atomic_output
from ..xlsx import FONT, GREY_FONT, RED, RED_FONT, new_workbook, print_setup, xl_col_to_name

WEEKDAYS = by_lang("schedule_book.weekdays")

TEXT = table("schedule_book")
SUMMARY = by_lang("sheet.summary")
PERSON_WIDTHS = [11, 11, 20, 10, 14, 10, 8, 11, 58, 30, 10]
UNSCHED_WIDTHS = [10, 10, 20, 14, 5, 11, 90]
SMS_WIDTHS = [9, 9, 18, 9, 13, 6, 11, 92, 7, 26]


class _Fmt:
    """Bordered cell formats for printed lists (a grid the manager can write on)."""

    def __init__(self, wb):
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "border": 1}

        def add(**kw):
            return wb.add_format({**base, **kw})

        self.cell = add()
        self.center = add(align="center")
        self.num = add(num_format="0", align="center")
        self.fit = add(text_wrap=True, valign="top")  # long reasons wrap onto more lines, never cut
        self.date = add(num_format="yyyy-mm-dd", align="center")
        self.late = add(num_format="yyyy-mm-dd", align="center", bg_color=RED, font_color=RED_FONT)
        self.off = add(align="center", italic=True, font_color=GREY_FONT, bg_color="#F2F2F2")
        self.visit = add(bg_color="#FFEB9C", font_color="#9C5700", align="center")
        self.header = add(
            bold=True, font_color="#FFFFFF", bg_color="#305496", align="center", text_wrap=True
        )
        self.total = add(bold=True, num_format="0", align="center", bg_color="#D9E1F2")
        self.total_label = add(bold=True, bg_color="#D9E1F2")
        self.title = wb.add_format({"font_name": FONT, "bold": True, "font_size": 15})
        self.sub = wb.add_format({"font_name": FONT, "font_size": 10, "font_color": "#595959"})
        self.sign = wb.add_format({"font_name": FONT, "font_size": 11})


def write_schedule(
    path: str | os.PathLike, plan: Plan, mask_phones: bool = False, inputs=(), lang: str = "zh"
) -> str:
    t = TEXT[lang]
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, kind="schedule")
        f = _Fmt(wb)
        wd = WEEKDAYS[lang]
        title = t["title"].format(
            start=plan.week_start, wd=wd[plan.week_start.weekday()], end=plan.week_end
        )
        batch = render("sep.list", lang).join(f"{d:%m-%d}" for d in plan.batch_days)
        phone = (lambda p: mask_value(p) if p else "") if mask_phones else (lambda p: p or "")
        used = {SUMMARY[lang], t["unscheduled"], t["sms_sheet"]}
        _summary(wb.add_worksheet(SUMMARY[lang]), plan, f, t, wd, title, batch)
        for owner in plan.owners:
            _person(
                wb.add_worksheet(_safe_name(owner, used)),
                plan,
                owner,
                f,
                t,
                wd,
                title,
                batch,
                phone,
                lang,
            )
        _unscheduled(wb.add_worksheet(t["unscheduled"]), plan, f, t, phone, lang)
        _sms(wb.add_worksheet(t["sms_sheet"]), plan, f, t, phone, lang)
        wb.close()
    return os.fspath(path)


def _summary(ws, plan: Plan, f: _Fmt, t: dict, wd: list[str], title: str, batch: str) -> None:
    """Per person per day: calls (customers) planned; carried-in, unscheduled and P12 lines."""
    days = [plan.week_start + dt.timedelta(days=i) for i in range(7)]
    ws.write_string(0, 0, title, f.title)
    ws.write_string(1, 0, t["made"].format(as_of=plan.as_of, batch=batch), f.sub)
    head = t["summary_head"] + [f"{d:%m-%d} {wd[d.weekday()]}" for d in days] + t["totals"]
    for j, h in enumerate(head):
        ws.write_string(3, j, h, f.header)
    owners = plan.owners
    totals = [
        0
    ] * 13  # the 合计 row's results, written beside its formulas for unrecalculated views
    for r, owner in enumerate(owners, start=4):
        ws.write_string(r, 0, owner, f.cell)
        ws.write_number(r, 1, plan.capacity.get(owner, 0), f.num)
        totals[1] += plan.capacity.get(owner, 0)
        for j, d in enumerate(days, start=2):
            if d in plan.working_days:
                ws.write_number(r, j, plan.load(owner, d), f.num)
                totals[j] += plan.load(owner, d)
            else:
                ws.write_string(r, j, t["off"], f.off)
        week = sum(plan.load(owner, d) for d in days if d in plan.working_days)
        ws.write_formula(r, 9, f"=SUM(C{r + 1}:I{r + 1})", f.num, week)
        carried = len({i.customer_id for i in plan.items if i.owner == owner and i.carried})
        missed = sum(1 for u in plan.unscheduled if u.owner == owner)
        visits = sum(a.required for a in plan.appointments if a.owner == owner and not a.done)
        for j, v in ((9, week), (10, carried), (11, missed), (12, visits)):
            totals[j] += v
        ws.write_number(r, 10, carried, f.num)
        ws.write_number(r, 11, missed, f.num)
        ws.write_number(r, 12, visits, f.num)
    last = 4 + len(owners)
    ws.write_string(last, 0, t["total"], f.total_label)
    ws.write_blank(last, 1, None, f.total_label)
    for j in range(2, 13):
        col = xl_col_to_name(j)
        ws.write_formula(last, j, f"=SUM({col}5:{col}{last})", f.total, totals[j])
    ws.set_column(0, 0, 12)
    ws.set_column(1, 12, 10)
    ws.set_row(3, 30)
    ws.write_string(last + 2, 0, t["sign"], f.sign)
    if plan.escalations:
        r = last + 4
        ws.write_string(r, 0, t["escalate_title"], f.sub)
        for j, h in enumerate(t["unsched_head"]):
            ws.write_string(r + 1, j, h, f.header)
        for k, e in enumerate(plan.escalations, start=r + 2):
            values = [
                e.owner,
                e.customer_id,
                e.customer_name or "",
                e.rule,
                e.due_date,
                localize(e.reason, "en" if t is TEXT["en"] else "zh"),
            ]
            for j, value in zip((0, 1, 2, 4, 5, 6), values):
                if isinstance(value, dt.date):  # a real date, as on the 排不下 sheet
                    ws.write_datetime(k, j, value, f.date)
                else:
                    ws.write_string(k, j, value, f.cell)
    print_setup(ws, header=t["header"], repeat_rows=(3, 3))


def _person(
    ws,
    plan: Plan,
    owner: str,
    f: _Fmt,
    t: dict,
    wd: list[str],
    title: str,
    batch: str,
    phone,
    lang: str,
) -> None:
    """One person's list, in calling order, with an approval column and a signature line."""
    mine = [i for i in plan.items if i.owner == owner]
    calls: dict[tuple, list[PlanItem]] = {}  # one call per customer per day: its reasons on one row
    for it in mine:
        calls.setdefault((it.date, it.customer_id), []).append(it)
    ws.write_string(0, 0, f"{owner}  {title}", f.title)
    ws.write_string(
        1,
        0,
        t["person_sub"].format(
            owner=owner, cap=plan.capacity.get(owner, 0), n=len(mine), calls=len(calls), batch=batch
        ),
        f.sub,
    )
    head = [*t["person_head"][:5], t["preferred"], *t["person_head"][5:]]
    for j, (h, w) in enumerate(zip(head, PERSON_WIDTHS)):
        ws.write_string(2, j, h, f.header)
        ws.set_column(j, j, w)
    ws.set_row(2, 28)
    r = 3
    sep = render("sep.list", lang)
    for (day, _cid), items in calls.items():
        first = items[0]
        ws.write_string(r, 0, f"{day:%m-%d} {wd[day.weekday()]}", f.center)
        ws.write_string(r, 1, first.customer_id, f.cell)
        ws.write_string(r, 2, first.customer_name or "", f.cell)
        ws.write_string(r, 3, first.contact or "", f.cell)
        ws.write_string(r, 4, phone(first.phone), f.cell)
        ws.write_string(r, 5, first.preferred_time or "", f.center)
        ws.write_string(r, 6, sep.join(dict.fromkeys(i.rule for i in items)), f.center)
        due = min(i.due_date for i in items)
        ws.write_datetime(r, 7, due, f.late if day > due else f.date)
        reasons = [localize(i.reason, lang) for i in items]
        ws.write_string(
            r,
            8,
            "\n".join(
                f"{i.rule} {text}" if len(items) > 1 else text for i, text in zip(items, reasons)
            ),
            f.fit,
        )
        ws.write_string(
            r,
            9,
            (render("sep.clause", lang)).join(
                dict.fromkeys(h for h in (_how(i, plan, t, lang) for i in items) if h)
            ),
            f.fit,
        )
        ws.write_blank(r, 10, None, f.cell)
        r += 1
    for ap in (a for a in plan.appointments if a.owner == owner):
        ws.write_string(r, 0, t["visit"], f.visit)
        for j in (1, 3, 4, 5, 7, 9, 10):
            ws.write_blank(r, j, None, f.cell)
        ws.write_string(r, 2, "" if ap.done else t["visit_blank"], f.cell)
        ws.write_string(r, 6, "P12", f.center)
        text = t["visit_done" if ap.done else "visit_todo"]
        ws.write_string(
            r,
            8,
            text.format(start=f"{ap.week_start:%m-%d}", end=f"{ap.week_end:%m-%d}", n=ap.required),
            f.cell,
        )
        r += 1
    duties = [d for d in plan.duties if d.owner == owner]
    if duties:  # not calls: what the person must write or send by its date, no call slot used
        ws.write_string(r + 1, 0, t["todo"], f.sub)
        r += 2
        for d in duties:
            ws.write_string(r, 0, f"{d.due_date:%m-%d} {wd[d.due_date.weekday()]}", f.center)
            ws.write_string(r, 1, d.customer_id, f.cell)
            ws.write_string(r, 2, d.customer_name or "", f.cell)
            ws.write_string(r, 3, d.method, f.center)
            ws.write_blank(r, 4, None, f.cell)
            ws.write_blank(r, 5, None, f.cell)
            ws.write_string(r, 6, d.rule, f.center)
            ws.write_datetime(r, 7, d.due_date, f.date)
            ws.write_string(r, 8, localize(d.reason, lang), f.fit)
            ws.write_string(r, 9, localize(d.note, lang) or "", f.fit)
            ws.write_blank(r, 10, None, f.cell)
            r += 1
    ws.write_string(r + 1, 0, t["caller"].format(owner=owner) + t["sign"], f.sign)
    ws.freeze_panes(3, 0)
    print_setup(ws, header=f"{owner} {t['header']}", repeat_rows=(2, 2), lang=lang)


def _how(it: PlanItem, plan: Plan, t: dict, lang: str) -> str:
    """排期说明: overdue days and how the item was placed, when that needs saying."""
    parts = []
    if it.overdue:
        parts.append(t["overdue"].format(n=(plan.as_of - it.due_date).days))
    elif it.carried:
        parts.append(t["carried"])
    note = localize(it.note, lang)
    if note:
        parts.append(note)
    return (render("sep.clause", lang)).join(parts)


def _unscheduled(ws, plan: Plan, f: _Fmt, t: dict, phone, lang: str) -> None:
    ws.write_string(
        0, 0, t["unsched_title"].format(start=plan.week_start, end=plan.week_end), f.title
    )
    for j, (h, w) in enumerate(zip(t["unsched_head"], UNSCHED_WIDTHS)):
        ws.write_string(2, j, h, f.header)
        ws.set_column(j, j, w)
    ws.set_row(2, 28)
    for r, u in enumerate(plan.unscheduled, start=3):
        for j, v in enumerate(
            [u.owner, u.customer_id, u.customer_name or "", phone(u.phone), u.rule]
        ):
            ws.write_string(r, j, v, f.center if j == 4 else f.cell)
        ws.write_datetime(r, 5, u.due_date, f.date)
        ws.write_string(r, 6, localize(u.reason, lang), f.fit)
    if not plan.unscheduled:
        ws.write_string(3, 0, t["none"], f.sub)
    ws.freeze_panes(3, 0)
    print_setup(ws, header=t["unscheduled"], repeat_rows=(2, 2), lang=lang)


def _sms(ws, plan: Plan, f: _Fmt, t: dict, phone, lang: str) -> None:
    """The 短信名单: the week's greetings by text (the hand-over SMS list's columns, with the
    owner, the rule and the day to send), and underneath, so that nobody drops off silently,
    the customers who get no text (不接受短信, a landline, no phone) to greet by phone."""
    ws.write_string(0, 0, t["sms_title"].format(start=plan.week_start, end=plan.week_end), f.title)
    for j, w in enumerate(SMS_WIDTHS):
        ws.set_column(j, j, w)
    send = [s for s in plan.sms if s.instead is None]
    instead = [s for s in plan.sms if s.instead is not None]
    yes_no = labels("handover_book.yes_no", lang)

    def block(top: int, head: list[str], rows, why: bool) -> int:
        for j, h in enumerate(head):
            ws.write_string(top, j, h, f.header)
        ws.set_row(top, 28)
        r = top + 1
        for s in rows:
            values = [
                s.owner,
                s.customer_id,
                s.customer_name or "",
                s.contact or "",
                phone(s.phone),
            ]
            for j, v in enumerate(values):
                ws.write_string(r, j, v, f.cell)
            ws.write_string(r, 5, s.rule, f.center)
            ws.write_datetime(r, 6, s.due_date, f.date)
            ws.write_string(r, 7, localize(s.text, lang), f.fit)
            ws.write_blank(r, 8, None, f.center)
            if why:
                ws.write_string(r, 9, localize(s.instead, lang), f.fit)
            r += 1
        if r > top + 1:
            ws.data_validation(top + 1, 8, r - 1, 8, {"validate": "list", "source": yes_no})
        return r

    r = block(2, t["sms_head"], send, False)
    if not send:
        ws.write_string(r, 0, t["sms_none"], f.sub)
        r += 1
    if instead:
        ws.write_string(r + 1, 0, t["sms_instead"].format(n=len(instead)), f.sub)
        block(r + 2, t["sms_instead_head"], instead, True)
    ws.freeze_panes(3, 0)
    print_setup(ws, header=t["sms_sheet"], repeat_rows=(2, 2), lang=lang)


def _safe_name(name: str, used: set[str]) -> str:
    """An Excel sheet name not used yet: no []:*?/\\, no apostrophe at either end, at most
    31 characters, and unique ignoring case (Excel takes Tom and tom for the same sheet)."""
    base = (
        "".join(ch for ch in name if ch not in "[]:*?/\\" and ord(ch) >= 32)[:28].strip("' ")
        or "人员"
    )
    if base.casefold() == "history":  # reserved by Excel
        base += "_"
    taken = {u.casefold() for u in used}
    out, i = base, 2
    while out.casefold() in taken:
        out, i = f"{base}{i}", i + 1
    used.add(out)
    return out
