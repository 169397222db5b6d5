"""The 周报 workbook: one row per person, and the W3 projects sheet."""

from __future__ import annotations

import os

from ..weekly import Weekly
from .atomic import atomic_output
from .xlsx import Formats, new_workbook, print_setup

COLUMNS = [("owner", "姓名", 10), ("deals", "成交量", 8), ("new_customers", "新增客户", 9), ("calls", "回访记录", 9),
           ("successful_calls", "成功回访", 9), ("appointments", "约访次数", 9), ("appointments_met", "约访达标", 9),
           ("consultation_followups", "技术咨询回访", 12), ("consultation_target", "周目标", 8),
           ("overdue", "周末逾期", 9), ("outcomes", "回访结果", 30)]


def write_weekly(path: str | os.PathLike, w: Weekly, inputs=()) -> str:
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp)
        f = Formats(wb)
        ws = wb.add_worksheet("周报")
        title = f"客户回访周报 {w.week_start} 至 {w.week_end}"
        when = f"报送日：{w.report_day}" + ("（周一放假，提前至周日报送）" if w.report_moved else "（周一）")
        ws.write_string(0, 0, title, f.get("title"))
        ws.write_string(1, 0, when, f.get("subtitle"))
        for j, (_k, h, width) in enumerate(COLUMNS):
            ws.write_string(3, j, h, f.get("header"))
            ws.set_column(j, j, width)
        for r, row in enumerate(w.by_owner, start=4):
            for j, (k, _h, _w) in enumerate(COLUMNS):
                v = row[k]
                if k == "appointments_met":
                    ws.write_string(r, j, "是" if v else "否", f.get("box") if v else f.get("red"))
                elif k == "outcomes":
                    ws.write_string(r, j, "，".join(f"{a}{b}" for a, b in sorted(v.items())), f.get("box"))
                elif isinstance(v, (int, float)):
                    ws.write_number(r, j, v, f.get("box"))
                else:
                    ws.write_string(r, j, str(v), f.get("box"))
        last = 4 + len(w.by_owner)
        ws.write_string(last, 0, "合计", f.get("bold"))
        for j in range(1, 6):
            col = chr(65 + j)
            ws.write_formula(last, j, f"=SUM({col}5:{col}{last})", f.get("bold"),
                             sum(r[COLUMNS[j][0]] for r in w.by_owner))
        ws.write_string(last + 2, 0, "销售经理审阅：________________    日期：____年____月____日")
        print_setup(ws, header="客户回访周报", repeat_rows=(3, 3))
        ws = wb.add_worksheet("在施工程")
        cols = [("event_id", "事项编号", 10), ("customer_id", "客户编号", 10), ("customer_name", "客户名称", 18),
                ("owner", "负责人", 8), ("start", "开工日期", 11), ("planned_end", "计划竣工", 11),
                ("actual_end", "实际竣工", 11), ("status", "状态", 9), ("calls_this_week", "本周回访", 9),
                ("call_types", "回访类型", 18)]
        ws.write_string(0, 0, f"在施及本周竣工工程 {w.week_start} 至 {w.week_end}（周例会材料）", f.get("title"))
        for j, (_k, h, width) in enumerate(cols):
            ws.write_string(2, j, h, f.get("header"))
            ws.set_column(j, j, width)
        for r, p in enumerate(w.projects, start=3):
            for j, (k, _h, _w) in enumerate(cols):
                v = p[k]
                if isinstance(v, int):
                    ws.write_number(r, j, v)
                elif v:
                    ws.write_string(r, j, str(v))
        print_setup(ws, header="在施工程", repeat_rows=(2, 2))
        wb.close()
    return os.fspath(path)
