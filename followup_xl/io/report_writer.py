"""The 客户回访月报 workbook with native charts (XlsxWriter charts live in the workbook
like openpyxl's and render in Excel and LibreOffice), and the 考核 (scores) workbook."""

from __future__ import annotations

import os

from .atomic import atomic_output
from .xlsx import Formats, new_workbook, print_setup


def _pct(v):
    return "—" if v is None else f"{v:.1f}%"


def _table(ws, f, row: int, col: int, headers: list[str], rows: list[list], widths=None) -> int:
    for j, h in enumerate(headers):
        ws.write_string(row, col + j, h, f.get("header"))
    for i, values in enumerate(rows, start=1):
        for j, v in enumerate(values):
            if v is None:
                ws.write_string(row + i, col + j, "—", f.get("box"))
            elif isinstance(v, bool):
                ws.write_string(row + i, col + j, "达标" if v else "未达标", f.get("box") if v else f.get("red"))
            elif isinstance(v, (int, float)):
                ws.write_number(row + i, col + j, v, f.get("box"))
            else:
                ws.write_string(row + i, col + j, str(v), f.get("box"))
    if widths:
        for j, w in enumerate(widths):
            ws.set_column(col + j, col + j, w)
    return row + len(rows) + 1


def write_report(path: str | os.PathLike, r: dict, inputs=()) -> str:
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp)
        f = Formats(wb)
        # 1. summary
        ws = wb.add_worksheet("月报")
        ws.write_string(0, 0, f"客户回访月报 {r['month']}", f.get("title"))
        ws.write_string(1, 0, f"统计期间 {r['start']} 至 {r['end']}；应回访含上月结转的逾期事项", f.get("subtitle"))
        prev, last_year = r["comparison"]["previous_month"], r["comparison"]["same_month_last_year"]

        def cmp(d, key):
            return d.get(key) if d.get("data") else "无数据"
        rows = [
            ["本月应回访数量", r["planned"], cmp(prev, "planned"), cmp(last_year, "planned")],
            ["实施回访数量", r["done"], cmp(prev, "done"), cmp(last_year, "done")],
            ["实施回访百分比", _pct(r["done_pct"]), _pct(prev.get("done_pct")) if prev.get("data") else "无数据",
             _pct(last_year.get("done_pct")) if last_year.get("data") else "无数据"],
            ["成功回访数量", r["successful"], cmp(prev, "successful"), cmp(last_year, "successful")],
            ["成功回访百分比", _pct(r["successful_pct"]), "", ""],
            ["回访记录条数", r["calls"], cmp(prev, "calls"), cmp(last_year, "calls")],
            ["平均满意度（1–5）", r["satisfaction_avg"], cmp(prev, "satisfaction_avg"), cmp(last_year, "satisfaction_avg")],
            ["月末未解决问题", r["open_issues_at_month_end"], "", ""],
        ]
        end = _table(ws, f, 3, 0, ["项目", "本月", f"上月 {prev['month']}", f"去年同月 {last_year['month']}"], rows,
                     [20, 12, 14, 16])
        ws.write_string(end + 1, 0, "回访率目标", f.get("bold"))
        cov = [[f"{c['rule']} {c['event_type']}", c["events"], c["followed_up"], _pct(c["actual_pct"]),
                f"≥{c['target_pct']:g}%", c["met"]] for c in r["coverage"]]
        end = _table(ws, f, end + 2, 0, ["事项", "本月事项数", "已回访", "回访率", "目标", "是否达标"], cov)
        ws.write_string(end + 1, 0, "技术咨询回访（月目标）", f.get("bold"))
        con = [[c["owner"], c["followups"], c["target"], c["met"]] for c in r["consultation"]]
        end = _table(ws, f, end + 2, 0, ["人员", "咨询回访", "月目标", "是否达标"], con)
        ws.write_string(end + 1, 0, "审阅：________________    日期：____年____月____日")
        print_setup(ws, header="客户回访月报")
        # 2. per person, with a chart
        ws = wb.add_worksheet("按人员")
        owners = r["by_owner"]
        _table(ws, f, 0, 0, ["人员", "应回访", "实施回访", "成功回访", "实施率%", "回访记录", "平均满意度"],
               [[o["owner"], o["planned"], o["done"], o["successful"], o["done_pct"], o["calls"], o["satisfaction_avg"]]
                for o in owners], [10, 9, 9, 9, 9, 9, 10])
        n = len(owners)
        if n:
            chart = wb.add_chart({"type": "column"})
            for j, name in ((1, "应回访"), (2, "实施回访"), (3, "成功回访")):
                chart.add_series({"name": name, "categories": ["按人员", 1, 0, n, 0], "values": ["按人员", 1, j, n, j]})
            chart.set_title({"name": "各人员应回访 / 实施 / 成功", "name_font": {"name": "Microsoft YaHei", "size": 12}})
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": 620, "height": 320})
            ws.insert_chart(n + 3, 0, chart)
        print_setup(ws, header="按人员")
        # 3. per rule
        ws = wb.add_worksheet("按类型")
        _table(ws, f, 0, 0, ["规则", "名称", "应回访", "实施回访", "成功回访", "实施率%"],
               [[t["rule"], t["name"], t["planned"], t["done"], t["successful"], t["done_pct"]] for t in r["by_type"]],
               [6, 22, 9, 9, 9, 9])
        print_setup(ws, header="按类型")
        # 4. satisfaction
        ws = wb.add_worksheet("满意度")
        dist = r["satisfaction_distribution"]
        labels = {"5": "5 非常满意", "4": "4 满意", "3": "3 一般", "2": "2 不满意", "1": "1 非常不满意"}
        end = _table(ws, f, 0, 0, ["满意度", "次数"], [[labels[k], dist[k]] for k in ("5", "4", "3", "2", "1")], [14, 8])
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "次数", "categories": ["满意度", 1, 0, 5, 0], "values": ["满意度", 1, 1, 5, 1],
                          "data_labels": {"value": True}})
        chart.set_title({"name": "满意度分布", "name_font": {"name": "Microsoft YaHei", "size": 12}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 460, "height": 280})
        ws.insert_chart(0, 3, chart)
        end = max(end, 16)
        end = _table(ws, f, end + 1, 0, ["回访类型", "平均满意度", "次数"],
                     [[t["call_type"], t["average"], t["count"]] for t in r["satisfaction_by_type"]])
        ws.write_string(end + 1, 0, "评分最低的回访", f.get("bold"))
        _table(ws, f, end + 2, 0, ["客户编号", "客户名称", "联系电话", "日期", "类型", "满意度", "回访人", "客户反映问题"],
               [[x["customer_id"], x["customer_name"], x["phone"], x["date"], x["call_type"], x["satisfaction"],
                 x["caller"], x["issue"]] for x in r["lowest_scored"]], [10, 18, 14, 11, 9, 7, 8, 16])
        print_setup(ws, header="满意度")
        # 5. issues and complaints
        ws = wb.add_worksheet("客户问题")
        end = _table(ws, f, 0, 0, ["客户反映问题", "次数"], [[t["issue"], t["count"]] for t in r["top_issues"]], [20, 8])
        ws.write_string(end + 1, 0, "投诉责任对象", f.get("bold"))
        _table(ws, f, end + 2, 0, ["责任对象", "投诉数", "占比%"],
               [[c["party"], c["complaints"], c["ratio_pct"]] for c in r["complaints_by_party"]])
        print_setup(ws, header="客户问题")
        # 6. trend
        ws = wb.add_worksheet("趋势")
        t = r["trend"]
        _table(ws, f, 0, 0, ["月份", "回访记录", "成功回访", "平均满意度"],
               [[x["month"], x["calls"], x["successful_calls"], x["satisfaction_avg"]] for x in t], [10, 10, 10, 11])
        chart = wb.add_chart({"type": "line"})
        chart.add_series({"name": "回访记录", "categories": ["趋势", 1, 0, len(t), 0], "values": ["趋势", 1, 1, len(t), 1],
                          "marker": {"type": "circle"}})
        chart.add_series({"name": "成功回访", "categories": ["趋势", 1, 0, len(t), 0], "values": ["趋势", 1, 2, len(t), 2],
                          "marker": {"type": "square"}})
        chart.set_title({"name": "近12个月回访趋势", "name_font": {"name": "Microsoft YaHei", "size": 12}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 300})
        ws.insert_chart(len(t) + 2, 0, chart)
        print_setup(ws, header="趋势")
        wb.close()
    return os.fspath(path)


def write_scores(path: str | os.PathLike, s: dict, inputs=()) -> str:
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp)
        f = Formats(wb)
        ws = wb.add_worksheet("年度考核")
        ws.write_string(0, 0, f"电话回访员考核 {s['year']}（月度分 = {s['score_base']:g} + 达标项目分；"
                              f"年度分 ≥ {s['threshold']:g} 有年终奖资格）", f.get("title"))
        months = list(range(1, 13))
        head = ["姓名", "在职月数"] + [f"{m}月" for m in months] + ["年度分", "年终奖资格", "说明"]
        rows = []
        for p in s["staff"]:
            by_m = {x["month"]: x["score"] for x in p["monthly"]}
            rows.append([p["name"], p["months_worked"]] + [by_m.get(m) for m in months] +
                        [p["yearly_score"], p["bonus_eligible"], p["not_eligible_reason"]])
        _table(ws, f, 2, 0, head, rows, [10, 8] + [7] * 12 + [9, 10, 14])
        print_setup(ws, header="年度考核")
        ws = wb.add_worksheet("月度明细")
        head = ["姓名", "月份"] + [i["name"] for i in s["items"]] + ["得分", "月度分", "咨询回访", "核实资料"]
        rows = []
        for p in s["staff"]:
            for x in p["monthly"]:
                rows.append([p["name"], f"{x['month']}月"] + [x["met"].get(i["key"], False) for i in s["items"]] +
                            [x["points"], x["score"], x["consultation_followups"], x["verified"]])
        _table(ws, f, 0, 0, head, rows, [10, 6] + [16] * len(s["items"]) + [6, 8, 9, 9])
        print_setup(ws, header="月度明细")
        wb.close()
    return os.fspath(path)
