"""Hand-over workbooks: the plan for approval (editable), reading an edited plan back,
and the 交接单 (what moved, the SMS notices, a signature block). The new master is
io/master's to write (its 交接记录 sheet is the one the 交接单 shows).

The plan workbook is the manager's: one row per customer, the proposed receiver
beside an editable 新负责人 column with a dropdown of the receivers, and a 汇总
sheet whose formulas follow the edits. Everything but that column is locked.
"""

from __future__ import annotations

import datetime as dt
import os

import python_calamine as pc
from xlsxwriter.utility import xl_col_to_name

from ...errors import BadHandoverPlan, UnreadableWorkbook, WrongWorkbook
from ...handover import GROUPS, GROUPS_EN, Move, Plan, log_rows
from ...messages import Label, by_lang, labels, localize, render
from ...normalize import clean_text, parse_date
from ...privacy import mask_value
from ...schema import ColType
from ..atomic import atomic_output
from ..formats import sniff
from ..master.handovers import group_label, write_log_sheet
from ..xlsx import Formats, TableSpec, new_workbook, print_setup, write_table
from .protect import ENTRY_OPTIONS

T = ColType
PLAN_SHEET = by_lang("handover_book.plan_sheet")
SUMMARY_SHEET = by_lang("sheet.summary")
INFO_SHEET = by_lang("handover_book.info_sheet")
# key, zh, en, kind, width — the plan's columns, in order (A…J)
PLAN_COLUMNS = [
    ("customer_id", "客户编号", "Customer ID", T.ID, 11),
    ("name", "客户名称", "Customer", T.TEXT, 20),
    ("group", "客户类别", "Class", T.TEXT, 9),
    ("phone", "联系电话", "Phone", T.PHONE, 14),
    ("calls", "回访记录数", "Calls", T.INT, 10),
    ("events", "回访事项数", "Triggers", T.INT, 10),
    ("open_items", "待回访数", "Open items", T.INT, 9),
    ("from", "原负责人", "From", T.TEXT, 9),
    ("proposed", "建议接收人", "Proposed", T.TEXT, 10),
    ("receiver", "新负责人", "New owner", T.TEXT, 10),
]
PLAN_KEYS = [c[0] for c in PLAN_COLUMNS]
ID_COL = xl_col_to_name(PLAN_KEYS.index("customer_id"))
RECEIVER_COL = xl_col_to_name(PLAN_KEYS.index("receiver"))
INFO_KEYS = {
    "leaver": by_lang("handover_book.leaving"),
    "receivers": by_lang("handover_book.receivers"),
    "date": by_lang("handover_book.date"),
    "by": by_lang("handover_book.handled_by"),
    "master": by_lang("handover_book.master"),
}
SMS_COLUMNS = [
    ("customer_id", "客户编号", "Customer ID", T.ID, 11),
    ("customer", "客户名称", "Customer", T.TEXT, 20),
    ("contact", "联系人", "Contact", T.TEXT, 10),
    ("phone", "客户电话", "Phone", T.PHONE, 14),
    ("new_owner", "新联系人", "New contact", T.TEXT, 10),
    ("new_phone", "新联系人电话", "New contact phone", T.PHONE, 14),
    ("text", "短信内容", "Message", T.TEXT, 70),
    ("sent", "已发送", "Sent", T.TEXT, 8),
]
SMS_SHEET = by_lang("handover_book.sms_sheet")
CALL_SHEET = by_lang("handover_book.call_sheet")
PHONE_SHEET = by_lang("handover_book.phone_sheet")
CALL_COLUMNS = [
    *SMS_COLUMNS[:4],
    ("why", "原因", "Why not SMS", T.TEXT, 22),
    *SMS_COLUMNS[4:6],
    ("text", "告知内容", "What to say", T.TEXT, 70),
    ("sent", "已告知", "Informed", T.TEXT, 8),
]


def _spec(name, table, columns, rows, lang) -> TableSpec:
    return TableSpec(
        sheet=None,
        name=name,
        table_name=table,
        headers=[c[2 if lang == "en" else 1] for c in columns],
        kinds=[c[3] for c in columns],
        widths=[c[4] for c in columns],
        rows=rows,
        choices=[None] * len(columns),
    )


def write_plan(
    path: str | os.PathLike,
    plan: Plan,
    phones: dict[str, str | None],
    lang: str = "zh",
    inputs=(),
    master: str | None = None,
) -> str:
    """The plan workbook for approval; phones are masked (the plan is passed around for signatures)."""
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, kind="handover-plan")
        fmts = Formats(wb)
        rows = [
            [
                m.customer_id,
                m.name,
                group_label(m.group, lang),
                mask_value(phones.get(m.customer_id)),
                m.calls,
                m.events,
                m.open_items,
                plan.leaver,
                m.receiver,
                m.receiver,
            ]
            for m in plan.moves
        ]
        spec = _spec(PLAN_SHEET[lang], "tblHandoverPlan", PLAN_COLUMNS, rows, lang)
        spec.choices[PLAN_KEYS.index("receiver")] = list(plan.receivers)
        ws = write_table(wb, spec, fmts, lang)
        editable = wb.add_format(
            {
                "locked": False,
                "bg_color": "#FFF2CC",
                "font_name": "Microsoft YaHei",
                "font_size": 10,
            }
        )
        j = PLAN_KEYS.index("receiver")
        for r, m in enumerate(plan.moves, start=1):
            ws.write_string(r, j, m.receiver, editable)
        ws.protect("", ENTRY_OPTIONS)
        title = f"{PLAN_SHEET[lang]}：{plan.leaver}  {plan.date.isoformat()}"
        print_setup(ws, header=title, lang=lang)
        _write_summary(wb, fmts, plan, lang, len(plan.moves))
        _write_info(wb, fmts, plan, lang, master)
        ws.activate()
        wb.close()
    return os.fspath(path)


def _write_summary(wb, fmts: Formats, plan: Plan, lang: str, n: int) -> None:
    """Per receiver: customers before, received per class (COUNTIFS over the edited plan), after."""
    ws = wb.add_worksheet(SUMMARY_SHEET[lang])
    heads = (
        (labels("handover_book.receiver_had", lang))
        + [group_label(g, lang) for g in GROUPS]
        + (labels("handover_book.received_after", lang))
    )
    ws.set_column(0, len(heads) - 1, 10)
    for j, h in enumerate(heads):
        ws.write_string(0, j, h, fmts.get("header"))
    plan_name = PLAN_SHEET[lang]
    last = max(n, 1) + 1
    recv = f"'{plan_name}'!${RECEIVER_COL}$2:${RECEIVER_COL}${last}"
    grp_col = xl_col_to_name(PLAN_KEYS.index("group"))
    grp = f"'{plan_name}'!${grp_col}$2:${grp_col}${last}"
    void_j = 2 + GROUPS.index("废除")
    for i, row in enumerate(plan.summary(), start=1):
        ws.write_string(i, 0, row["receiver"], fmts.get("box"))
        ws.write_number(i, 1, row["before"], fmts.get("box"))
        for k, g in enumerate(GROUPS):
            ws.write_formula(
                i,
                2 + k,
                f'=COUNTIFS({recv},$A{i + 1},{grp},"{group_label(g, lang)}")',
                fmts.get("box"),
                row[g],
            )
        first, lastg = xl_col_to_name(2), xl_col_to_name(1 + len(GROUPS))
        ws.write_formula(
            i,
            2 + len(GROUPS),
            f"=SUM({first}{i + 1}:{lastg}{i + 1})",
            fmts.get("box"),
            row["received"],
        )
        void = xl_col_to_name(void_j)
        total = xl_col_to_name(2 + len(GROUPS))
        ws.write_formula(
            i,
            3 + len(GROUPS),
            f"=B{i + 1}+{total}{i + 1}-{void}{i + 1}",
            fmts.get("box"),
            row["after"],
        )
    base = len(plan.receivers) + 3
    lines = labels("handover_book.summary_notes", lang)
    for k, line in enumerate(lines):
        ws.write_string(base + k, 0, line)
    ws.protect("", ENTRY_OPTIONS)
    print_setup(ws, repeat_rows=None, header=SUMMARY_SHEET[lang], lang=lang)


def _write_info(wb, fmts: Formats, plan: Plan, lang: str, master: str | None) -> None:
    ws = wb.add_worksheet(INFO_SHEET[lang])
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 40)
    values = {
        "leaver": plan.leaver,
        "receivers": "、".join(plan.receivers),
        "date": plan.date,
        "by": plan.by or "",
        "master": master or "",
    }
    for i, (key, names) in enumerate(INFO_KEYS.items()):
        ws.write_string(i, 0, names[lang], fmts.get("bold"))
        v = values[key]
        if isinstance(v, dt.date):
            ws.write_datetime(i, 1, dt.datetime(v.year, v.month, v.day), fmts.get("date"))
        else:
            ws.write_string(i, 1, v)
    ws.protect("", ENTRY_OPTIONS)


def read_plan(path: str) -> tuple[Plan, str]:
    """An edited plan workbook back as a Plan (rows keep their Excel row for messages),
    and the name of its plan sheet."""
    sniff(path)
    try:
        wb = pc.CalamineWorkbook.from_path(path)
    except Exception as exc:
        raise UnreadableWorkbook(
            "plan.cannot_open", error_type=type(exc).__name__, exc=exc, path=path
        ) from exc
    try:
        names = wb.sheet_names
        plan_name = next((n for n in names if n in PLAN_SHEET.values()), None)
        info_name = next((n for n in names if n in INFO_SHEET.values()), None)
        if plan_name is None or info_name is None:
            raise WrongWorkbook("plan.not_a_plan", path=path)
        rows = wb.get_sheet_by_name(plan_name).to_python(skip_empty_area=False)
        info_rows = wb.get_sheet_by_name(info_name).to_python(skip_empty_area=False)
    finally:
        wb.close()
    info = _read_info(info_rows, path, info_name)
    header = [clean_text(h) or "" for h in (rows[0] if rows else [])]
    cols = {}
    for key, zh, en, _kind, _w in PLAN_COLUMNS:
        idx = next((i for i, h in enumerate(header) if h in (zh, en)), None)
        if idx is None and key in ("customer_id", "receiver"):
            raise BadHandoverPlan(
                "plan.column_missing", column=Label(zh, en), path=path, sheet=plan_name, cell="1:1"
            )
        cols[key] = idx
    groups = {**{g: g for g in GROUPS}, **{v: k for k, v in GROUPS_EN.items()}}
    moves = []
    for r, row in enumerate(rows[1:], start=2):

        def get(key, row=row):
            i = cols.get(key)
            return clean_text(row[i]) if i is not None and i < len(row) else None

        if not any(v not in ("", None) for v in row):
            continue
        moves.append(
            Move(
                customer_id=get("customer_id") or "",
                name=get("name"),
                group=groups.get(get("group") or "", "未分类"),
                receiver=get("receiver") or "",
                row=r,
            )
        )
    return Plan(
        leaver=info["leaver"],
        receivers=info["receivers"],
        moves=moves,
        existing={},
        date=info["date"],
        by=info["by"],
    ), plan_name


def _read_info(rows: list[list], path: str, sheet: str) -> dict:
    labels: dict[str | None, str] = {
        label: key for key, names in INFO_KEYS.items() for label in names.values()
    }
    raw = {
        labels[clean_text(r[0])]: (r[1] if len(r) > 1 else None)
        for r in rows
        if r and clean_text(r[0]) in labels
    }
    leaver = clean_text(raw.get("leaver"))
    if not leaver:
        raise BadHandoverPlan("plan.no_leaver", path=path, sheet=sheet, cell="B1")
    receivers = [
        p
        for p in (clean_text(raw.get("receivers")) or "")
        .replace(",", "、")
        .replace("，", "、")
        .split("、")
        if p
    ]
    date = parse_date(raw.get("date"), False) if raw.get("date") not in (None, "") else None
    if not isinstance(date, dt.date):
        date = None
    return {
        "leaver": leaver,
        "receivers": [r.strip() for r in receivers],
        "date": date,
        "by": clean_text(raw.get("by")),
    }


def write_record(
    path: str | os.PathLike, plan: Plan, notices: list[dict], lang: str = "zh", inputs=()
) -> str:
    """The 交接单: what moved to whom, the texts to send, and the signatures the seed asks for
    (hand-over "在上级领导监督下进行", 000 §7.2)."""
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, kind="handover-sms")
        fmts = Formats(wb)
        sms = [
            [
                n["customer_id"],
                n["customer"],
                n["contact"],
                n["phone"],
                n["new_owner"],
                n["new_phone"],
                n["text"],
                None,
            ]
            for n in notices
            if n.get("channel", "sms") == "sms"
        ]
        ws = write_table(wb, _spec(SMS_SHEET[lang], "tblSms", SMS_COLUMNS, sms, lang), fmts, lang)
        ws.data_validation(
            1,
            len(SMS_COLUMNS) - 1,
            max(len(sms), 1),
            len(SMS_COLUMNS) - 1,
            {"validate": "list", "source": labels("handover_book.yes_no", lang)},
        )
        print_setup(ws, header=SMS_SHEET[lang], lang=lang)
        # landlines and unreadable phones cannot take a text: listed apart, to be told by phone;
        # a receiver without a phone in 人员: held on 待补充电话 until the manager fills it in
        for channel, sheet, table in (
            ("call", CALL_SHEET[lang], "tblCall"),
            ("phone", PHONE_SHEET[lang], "tblPhone"),
        ):
            calls = [
                [
                    n["customer_id"],
                    n["customer"],
                    n["contact"],
                    n["phone"],
                    localize(n["why"], lang) or "",
                    n["new_owner"],
                    n["new_phone"],
                    n["text"],
                    None,
                ]
                for n in notices
                if n.get("channel") == channel
            ]
            if not calls:
                continue
            ws = write_table(wb, _spec(sheet, table, CALL_COLUMNS, calls, lang), fmts, lang)
            ws.data_validation(
                1,
                len(CALL_COLUMNS) - 1,
                len(calls),
                len(CALL_COLUMNS) - 1,
                {"validate": "list", "source": labels("handover_book.yes_no", lang)},
            )
            print_setup(ws, header=sheet, lang=lang)
        ws = write_log_sheet(wb, fmts, log_rows(plan), lang)
        base = len(plan.moves) + 3
        "、".join(plan.receivers)
        lines = [
            render("handover_book.sign_leaver", lang, leaver=plan.leaver),
            render("handover_book.sign_receivers", lang, people=plan.receivers),
            render(
                "handover_book.sign_approval", lang, by=plan.by or "", date=plan.date.isoformat()
            ),
        ]
        for k, line in enumerate(lines):
            ws.write_string(base + k, 0, line)
        ws.activate()
        wb.close()
    return os.fspath(path)
