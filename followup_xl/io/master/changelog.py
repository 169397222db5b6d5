"""The master's record of its own decisions: 修改记录 (every change, cumulative) and 待批准.

修改记录 lists, merge after merge, each field a staff book changed, each edit held
for approval and the manager's answer, each row deleted in a book and each row
added. 待批准 holds the edits to protected calls; the manager writes 是 or 否 in
its 批准 column and passes the master to the next merge, which applies the
approved ones and remembers the refused ones (the way `handover --plan` takes
an edited plan back). Everything is written as text, so it reads back unchanged.
"""

from __future__ import annotations

import datetime as dt

from ...errors import BadApproval
from ...merge import Change, field_header, field_label, text
from ...messages import by_lang, labels, localize, message
from ...normalize import clean_free_text
from ..xlsx import Formats, write_plain_sheet

LOG_SHEET = by_lang("changelog.log_sheet")
PENDING_SHEET = by_lang("changelog.pending_sheet")
LOG_HEADERS = by_lang("changelog.log_headers")
PENDING_HEADERS = by_lang("changelog.pending_headers")
APPROVE_COL = "I"
KINDS = {
    "customer": message("change.kind_customer"),
    "call": message("change.kind_call"),
    "event": message("change.kind_trigger"),
    "holiday": message("change.kind_holiday"),
    "rule": message("change.kind_rule"),
    "follow_up_rule": message("change.kind_follow_up_rule"),
}
STATUSES = {
    "applied": message("change.applied"),
    "pending": message("change.pending"),
    "approved": message("change.approved"),
    "refused": message("change.refused"),
    "deleted": message("change.deleted_in_book"),
    "added": message("change.added"),
}
YES, NO = (
    ("是", "yes", "y", "同意", "批准", "approve", "approved"),
    ("否", "no", "n", "不同意", "拒绝", "refuse", "refused"),
)


def _codes(table: dict) -> dict[str, str]:
    """A cell read back → its code: the label in either language, or the code itself."""
    return {
        **{said.render(lang): k for k, said in table.items() for lang in ("en", "zh")},
        **{k: k for k in table},
    }


def _row(day: dt.date, ch: Change, last: str, lang: str) -> list:
    return [
        day,
        KINDS[ch.kind].render(lang),
        ch.id,
        localize(field_label(ch.kind, ch.field), lang),  # read back by field_header
        text(ch.old),
        text(ch.new),
        localize(ch.source, lang),
        ch.who,
        last,
    ]


def write_change_sheets(
    wb,
    fmts: Formats,
    log: list[tuple[dt.date, Change]],
    pending: list[tuple[dt.date, Change]],
    lang: str = "zh",
) -> None:
    """修改记录 (one page wide, like 问题清单) and, when any edit waits, 待批准 with an editable 批准 column."""
    rows = [_row(day, ch, STATUSES[ch.status].render(lang), lang) for day, ch in log]
    write_plain_sheet(
        wb, fmts, LOG_SHEET[lang], LOG_HEADERS[lang], rows, [11, 8, 13, 10, 16, 16, 36, 8, 12]
    )
    if pending:
        ws = write_plain_sheet(
            wb,
            fmts,
            PENDING_SHEET[lang],
            PENDING_HEADERS[lang],
            [[*_row(day, ch, "", lang), localize(ch.reason, lang)] for day, ch in pending],
            [11, 8, 13, 10, 16, 16, 36, 8, 8, 48],
        )
        ws.data_validation(
            1,
            8,
            len(pending),
            8,
            {
                "validate": "list",
                "source": labels("manager_book.yes_no", lang),
                "ignore_blank": True,
            },
        )


def _cell(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    # text as typed: 修改记录 carries staff's words week after week, so ，。： stay full-width
    return clean_free_text(v) or "" if isinstance(v, str) else ("" if v in ("", None) else str(v))


def _day(v) -> dt.date | None:
    """The 合并日期 cell: a date cell, or the ISO text masters written before held."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        return None


def _rows(wb, sheet_names) -> tuple[str | None, list[list]]:
    name = next((n for n in wb.sheet_names if n in sheet_names), None)
    if name is None:
        return None, []
    data = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)[1:]
    return name, [[_day(r[0]) if r else None] + [_cell(v) for v in r[1:]] + [""] * 10 for r in data]


def read_change_sheets(
    wb, path: str
) -> tuple[list[tuple[dt.date, Change]], list[tuple[dt.date, Change, bool | None]]]:
    """(修改记录 rows, 待批准 rows with the manager's answer: True 是, False 否, None blank) of the
    master at ``path`` (its open calamine workbook).

    An answer that is neither is refused with its cell (exit 3), like a wrong edit in a hand-over plan.
    """
    _n, log_rows = _rows(wb, LOG_SHEET.values())
    pend_name, pend_rows = _rows(wb, PENDING_SHEET.values())
    kinds, statuses = _codes(KINDS), _codes(STATUSES)
    log = []
    for r in log_rows:
        kind, status = kinds.get(r[1]), statuses.get(r[8])
        if kind and status:
            log.append(
                (
                    r[0],
                    Change(
                        kind,
                        r[2],
                        field_header(kind, r[3]),
                        r[4] or None,
                        r[5] or None,
                        r[6],
                        r[7],
                        status,
                    ),
                )
            )
    pending = []
    for n, r in enumerate(pend_rows, start=2):
        kind = kinds.get(r[1])
        if not kind:
            continue
        answer = r[8].strip().lower()
        ok = True if answer in YES else False if answer in NO else None if answer == "" else "bad"
        if ok == "bad":
            raise BadApproval(
                "changelog.bad_approval",
                value=r[8],
                path=path,
                sheet=pend_name,
                cell=f"{APPROVE_COL}{n}",
            )
        ok = True if answer in YES else False if answer in NO else None
        field = field_header(kind, r[3])  # an en master's header, or a zh one (any version)
        pending.append(
            (
                r[0],
                Change(kind, r[2], field, r[4] or None, r[5] or None, r[6], r[7], "pending", r[9]),
                ok,
            )
        )
    return log, pending
