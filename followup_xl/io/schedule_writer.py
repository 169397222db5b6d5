"""The 回访排期表 workbook: a summary, one printable sheet per person with an approval
column and a signature line, and the 排不下 list."""

from __future__ import annotations

import datetime as dt
import os

from ..normalize import mask_phone
from ..schedule import Plan
from .atomic import atomic_output
from .xlsx import Formats, new_workbook, print_setup

WD = "一二三四五六日"


def _safe_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "人员"
    out, i = base, 2
    while out in used:
        out, i = f"{base}{i}", i + 1
    used.add(out)
    return out


def write_schedule(path: str | os.PathLike, plan: Plan, mask_phones: bool = False, inputs=()) -> str:
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp)
        f = Formats(wb)
        days = [plan.week_start + dt.timedelta(days=i) for i in range(7)]
        title = f"回访排期表 {plan.week_start}（周{WD[plan.week_start.weekday()]}）至 {plan.week_end}"
        # summary
        ws = wb.add_worksheet("汇总")
        ws.write_string(0, 0, title, f.get("title"))
        ws.write_string(1, 0, f"制表日期 {plan.as_of}；分批回访日：" + "、".join(f"{d:%m-%d}" for d in plan.batch_days),
                        f.get("subtitle"))
        head = ["负责人", "每日上限"] + [f"{d:%m-%d} 周{WD[d.weekday()]}" for d in days] + ["合计", "其中逾期", "排不下"]
        for j, h in enumerate(head):
            ws.write_string(3, j, h, f.get("header"))
        for r, owner in enumerate(plan.owners, start=4):
            ws.write_string(r, 0, owner, f.get("box"))
            ws.write_number(r, 1, plan.capacity.get(owner, 0), f.get("box"))
            for j, d in enumerate(days, start=2):
                n = plan.load(owner, d)
                fmt = f.get("grey") if d not in plan.working_days else f.get("box")
                ws.write(r, j, n if d in plan.working_days else "休", fmt)
            ws.write_formula(r, 9, f"=SUM(C{r + 1}:I{r + 1})", f.get("box"),
                             sum(plan.load(owner, d) for d in days))
            ws.write_number(r, 10, sum(1 for i in plan.items if i.owner == owner and i.overdue), f.get("box"))
            ws.write_number(r, 11, sum(1 for u in plan.unscheduled if u.owner == owner), f.get("box"))
        last = 4 + len(plan.owners)
        ws.write_string(last, 0, "合计", f.get("bold"))
        for j in range(2, 12):
            col = chr(65 + j)
            ws.write_formula(last, j, f"=SUM({col}5:{col}{last})", f.get("bold"))
        ws.set_column(0, 0, 12)
        ws.set_column(1, 11, 10)
        ws.write_string(last + 2, 0, "销售经理核定：________________    日期：____年____月____日")
        print_setup(ws, header="回访排期表", repeat_rows=(3, 3))
        used = {"汇总", "排不下"}
        # one sheet per person
        for owner in plan.owners:
            ws = wb.add_worksheet(_safe_name(owner, used))
            ws.write_string(0, 0, f"{owner} {title}", f.get("title"))
            cols = ["日期", "客户编号", "客户名称", "联系电话", "规则", "应回访日期", "原因", "经理核定", "备注"]
            widths = [11, 9, 18, 14, 5, 11, 72, 9, 6]
            for j, (h, w) in enumerate(zip(cols, widths)):
                ws.write_string(2, j, h, f.get("header"))
                ws.set_column(j, j, w)
            r = 3
            for it in (i for i in plan.items if i.owner == owner):
                ws.write_string(r, 0, f"{it.date:%m-%d} 周{WD[it.date.weekday()]}", f.get("box"))
                ws.write_string(r, 1, it.customer_id, f.get("box"))
                ws.write_string(r, 2, it.customer_name or "", f.get("box"))
                ws.write_string(r, 3, (mask_phone(it.phone) if mask_phones else it.phone) or "", f.get("box"))
                ws.write_string(r, 4, it.rule, f.get("box"))
                ws.write_datetime(r, 5, it.due_date, f.get("red_date") if it.overdue else f.get("date"))
                ws.write_string(r, 6, it.reason + (f"（{it.note}）" if it.note else ""), f.get("box"))
                ws.write_blank(r, 7, None, f.get("box"))
                ws.write_string(r, 8, "逾期" if it.overdue else "", f.get("box"))
                r += 1
            for ap in (a for a in plan.appointments if a["owner"] == owner):
                ws.write_string(r, 0, "约访", f.get("amber"))
                ws.write_string(r, 1, "", f.get("box"))
                ws.write_string(r, 2, "________（本周至少约访"
                                f"{ap['required']}位，{ap['week_start'][5:]}至{ap['week_end'][5:]}）", f.get("box"))
                for j in range(3, 9):
                    ws.write_blank(r, j, None, f.get("box"))
                r += 1
            ws.write_string(r + 1, 0, f"回访人：{owner}        销售经理核定：________________    日期：____年____月____日")
            ws.freeze_panes(3, 0)
            print_setup(ws, header=f"{owner} 回访排期表", repeat_rows=(2, 2))
        # could not schedule
        ws = wb.add_worksheet("排不下")
        cols = ["负责人", "客户编号", "客户名称", "联系电话", "规则", "应回访日期", "原因"]
        for j, (h, w) in enumerate(zip(cols, [10, 10, 18, 14, 6, 11, 60])):
            ws.write_string(0, j, h, f.get("header"))
            ws.set_column(j, j, w)
        for r, u in enumerate(plan.unscheduled, start=1):
            for j, v in enumerate([u.owner, u.customer_id, u.customer_name or "",
                                   (mask_phone(u.phone) if mask_phones else u.phone) or "", u.rule]):
                ws.write_string(r, j, v)
            ws.write_datetime(r, 5, u.due_date, f.get("date"))
            ws.write_string(r, 6, u.reason, f.get("wrap"))
        print_setup(ws, header="排不下")
        wb.close()
    return os.fspath(path)
