"""The 回访管理台 (manager workbook): an 操作 sheet of settings and buttons, a 运行记录 log.

`followup-xl init --manager` writes it; the buttons (macros/Manager.bas → xl/manager.py)
read the settings from the open workbook by their labels, so the layout lives
here once and both sides use it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass

from ...messages import by_lang, labels, render
from ..atomic import atomic_output
from ..xlsx import Formats, new_workbook, print_setup

ACTIONS = by_lang("manager_book.actions")
LOG = by_lang("manager_book.log")
LISTS = by_lang("manager_book.lists")
RESULT = by_lang("manager_book.result")
LOG_HEADERS = by_lang("manager_book.log_headers")


@dataclass(frozen=True)
class Setting:
    key: str
    zh: str
    en: str
    hint_zh: str
    hint_en: str
    default_zh: str = ""
    default_en: str = ""
    source: str | None = None  # column of the 列表 sheet that feeds its dropdown

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


SETTINGS = [
    Setting(
        "inbox",
        "收件箱文件夹",
        "Inbox folder",
        "员工交来的工作簿所在文件夹（可写相对本工作簿的路径）",
        "folder of the staff workbooks (relative to this workbook, or absolute)",
        "收件箱",
        "inbox",
    ),
    Setting(
        "last_master",
        "上周总表",
        "Last week's master",
        "合并的底稿；留空则用当前总表（本管理台上次写出的总表）",
        "the base of the merge; blank: the current master (the one this workbook wrote last)",
    ),
    Setting(
        "output",
        "输出文件夹",
        "Output folder",
        "所有结果写到这里（没有就新建）",
        "every result goes here (created if missing)",
        "输出",
        "output",
    ),
    Setting(
        "master",
        "当前总表",
        "Current master",
        "合并汇总、离职交接后自动填写；其余按钮读它",
        "filled by Merge and Handover; the other buttons read it",
    ),
    Setting(
        "as_of",
        "本周（以哪天为今天）",
        "This week (the day taken as today)",
        "留空=今天；周日排下周，周一出上周周报",
        "blank = today; Sunday plans next week, Monday sums up last week",
        source="A",
    ),
    Setting(
        "month",
        "月份",
        "Month",
        "月报的月份 YYYY-MM；留空=上个月",
        "month of the report, YYYY-MM; blank = last month",
        source="B",
    ),
    Setting(
        "leaver",
        "交接：离职人员",
        "Handover: leaver",
        "从总表的人员中选",
        "pick from the master's staff",
        source="C",
    ),
    Setting(
        "receiver1", "交接：接收人1", "Handover: receiver 1", "至少一位", "at least one", source="C"
    ),
    Setting(
        "receiver2", "交接：接收人2", "Handover: receiver 2", "可空", "may be blank", source="C"
    ),
    Setting(
        "receiver3", "交接：接收人3", "Handover: receiver 3", "可空", "may be blank", source="C"
    ),
    Setting("by", "经办人", "Carried out by", "留空=登录名", "blank = login name"),
    Setting(
        "mask_phones",
        "隐藏电话",
        "Mask phones",
        "待回访、排期表、月报中的电话显示为 138****1234",
        "phones in due list, schedule and report as 138****1234",
        "否",
        "no",
        source="D",
    ),
]
FIRST_ROW = 4  # Excel row of the first setting (labels in A, values in B, hints in C)
BUTTON_COL = 4  # column E (0-based 4)

BUTTONS = {  # (caption, macro, job) — job names the xl.manager entry point and the CLI command
    "zh": [
        ("合并汇总", "Manager.MergeBooks"),
        ("全部校验", "Manager.ValidateAll"),
        ("待回访", "Manager.DueList"),
        ("生成排期表（周日）", "Manager.WeekSchedule"),
        ("生成周报（周一）", "Manager.WeekSummary"),
        ("生成月报", "Manager.MonthReport"),
        ("离职交接", "Manager.Handover"),
        ("分发", "Manager.SplitBooks"),
        ("检查环境", "Manager.CheckSetup"),
    ],
    "en": [
        ("Merge", "Manager.MergeBooks"),
        ("Validate all", "Manager.ValidateAll"),
        ("Due list", "Manager.DueList"),
        ("Schedule (Sunday)", "Manager.WeekSchedule"),
        ("Weekly (Monday)", "Manager.WeekSummary"),
        ("Monthly report", "Manager.MonthReport"),
        ("Handover", "Manager.Handover"),
        ("Split", "Manager.SplitBooks"),
        ("Check set-up", "Manager.CheckSetup"),
    ],
}
LIST_ROWS = 120  # rows each dropdown list may use on the 列表 sheet


def result_row() -> int:
    """Excel row of the 最近结果 heading (the figures follow below it)."""
    return FIRST_ROW + len(SETTINGS) + 1


def manager_name(lang: str = "zh") -> str:
    return render("manager_book.file_name", lang)


def sundays(today: dt.date, before: int = 8, after: int = 60) -> list[dt.date]:
    """Sundays around ``today`` for the 本周 dropdown (any date may still be typed)."""
    last = today - dt.timedelta(days=(today.weekday() + 1) % 7)
    return [last + dt.timedelta(weeks=w) for w in range(-before, after)]


def months(today: dt.date, before: int = 24, after: int = 3) -> list[str]:
    out, y, m = [], today.year, today.month
    for k in range(-before, after):
        yy, mm = divmod(m - 1 + k, 12)
        out.append(f"{y + yy:04d}-{mm + 1:02d}")
    return out


def write_manager_workbook(
    path: str | os.PathLike,
    lang: str = "zh",
    today: dt.date | None = None,
    staff: Iterable[str] = (),
    created: dt.datetime | None = None,
) -> str:
    """Write the 管理台 .xlsm atomically; ``staff`` fills the 交接 pickers (the buttons refresh it)."""
    from ...xl.vba import add_buttons

    path = os.fspath(path)
    today = today or dt.date.today()
    zh = lang == "zh"
    with atomic_output(path, ()) as tmp:
        wb = new_workbook(tmp, created=created, kind="manager")
        fmts = Formats(wb)
        ws = wb.add_worksheet(ACTIONS[lang])
        log = wb.add_worksheet(LOG[lang])
        lists = wb.add_worksheet(LISTS[lang])
        ws.set_column(0, 0, 26)
        ws.set_column(1, 1, 30)
        ws.set_column(2, 2, 44)
        ws.set_column(3, 3, 3)
        ws.set_column(4, 4, 22)
        ws.write_string(0, 0, render("manager_book.title", lang), fmts.get("title"))
        ws.write_string(
            1,
            0,
            render("manager_book.intro", lang),
            fmts.get("subtitle"),
        )
        text_cell = wb.add_format({"num_format": "@", "border": 1, "bg_color": "#FFF2CC"})
        date_cell = wb.add_format(
            {"num_format": "yyyy-mm-dd", "border": 1, "bg_color": "#FFF2CC", "align": "left"}
        )
        ws.write_string(FIRST_ROW - 2, 0, render("manager_book.settings", lang), fmts.get("bold"))
        for i, s in enumerate(SETTINGS):
            r = FIRST_ROW - 1 + i
            ws.write_string(r, 0, s.label(lang), fmts.get("box"))
            value = s.default_zh if zh else s.default_en
            fmt = date_cell if s.key == "as_of" else text_cell
            if value:
                ws.write_string(r, 1, value, fmt)
            else:
                ws.write_blank(r, 1, None, fmt)
            ws.write_string(r, 2, s.hint_zh if zh else s.hint_en, fmts.get("grey"))
            if s.source:
                ref = f"='{LISTS[lang]}'!${s.source}$2:${s.source}${LIST_ROWS + 1}"
                ws.data_validation(
                    r,
                    1,
                    r,
                    1,
                    {
                        "validate": "list",
                        "source": ref,
                        "show_error": False,
                        "input_title": s.label(lang)[:32],
                        "input_message": (s.hint_zh if zh else s.hint_en)[:255],
                    },
                )
        ws.write_string(result_row() - 1, 0, RESULT[lang], fmts.get("bold"))
        log.set_column(0, 0, 18)
        log.set_column(1, 2, 14)
        log.set_column(3, 3, 48)
        log.set_column(4, 4, 48)
        log.set_column(5, 12, 30)
        for j, h in enumerate(LOG_HEADERS[lang]):
            log.write_string(0, j, h, fmts.get("header"))
        log.freeze_panes(1, 0)
        print_setup(ws, repeat_rows=None)
        print_setup(log)
        heads = labels("manager_book.list_headers", lang)
        for j, h in enumerate(heads):
            lists.write_string(0, j, h, fmts.get("bold"))
        for i, d in enumerate(sundays(today)[:LIST_ROWS]):
            lists.write_datetime(i + 1, 0, dt.datetime(d.year, d.month, d.day), date_cell)
        for i, m in enumerate(months(today)[:LIST_ROWS]):
            lists.write_string(i + 1, 1, m)
        for i, name in enumerate(list(staff)[:LIST_ROWS]):
            lists.write_string(i + 1, 2, name)
        for i, yn in enumerate(labels("manager_book.yes_no", lang)):
            lists.write_string(i + 1, 3, yn)
        lists.hide()
        add_buttons(
            wb, ws, BUTTONS[lang], module="Manager", row=FIRST_ROW - 1, col=BUTTON_COL, step=2
        )
        ws.activate()
        wb.close()
    return path
