"""Checks as small named units, and findings as data.

A check has a stable code, a severity, a Chinese and an English name, message
templates, a fix hint and an example; `followup-xl rules` prints them like a
linter documents its rules. A finding is plain data (JSON-able) that names the
sheet (as in the file), the Excel row, the header text and the cell. Rendering
(terminal, JSON, annotated workbook, in-place button) lives elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..messages import localize, render
from ..models import Book, Record
from ..settings import Policy

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    name_zh: str
    name_en: str
    message_zh: str  # str.format templates: {value} {column} {extra}
    message_en: str
    fix_zh: str
    fix_en: str
    example: str  # a bad value and what the check says, for `rules CODE`
    requirement: str = ""  # REQUIREMENTS / seed reference
    run: Callable[[Context], Iterator[Finding]] | None = None


@dataclass
class Finding:
    code: str
    severity: str
    sheet: str | None
    row: int | None
    column: str | None
    cell: str | None
    message_zh: str
    message_en: str
    value: object = None
    file: str | None = None  # the workbook the cell is in (a master's archive file, for one)

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh


@dataclass
class Context:
    book: Book
    policy: Policy
    as_of: dt.date
    roles: dict[str, str] = field(default_factory=dict)  # person → 员工/部门主管/公司经理

    def finding(
        self,
        check: Check,
        record: Record | None = None,
        key: str | None = None,
        value: object = None,
        extra: object = "",  # a str, a catalog Text, or any value shown as it is
        sheet_key: str | None = None,
        sheet_name: str | None = None,
    ) -> Finding:
        """A finding at a record's cell (or a whole sheet when ``record`` is None)."""
        sheet = row = column = cell = file = None
        if record is not None and record.src is not None:
            file, sheet, row = record.src.file, record.src.sheet, record.src.row
            info = self.book.sheet_info(record.SHEET.key, sheet)
            if info and key:
                column = info.headers.get(key) or record.SHEET.column(key).zh
                cell = info.cell(key, row) if row is not None else None
            elif key:
                column = record.SHEET.column(key).zh
        elif sheet_name:
            sheet = sheet_name
        col_label = column or (record.SHEET.column(key).zh if record is not None and key else "")
        fmt = {"value": "" if value is None else value, "column": col_label}
        # extra may be bilingual (a catalog Text): each sentence gets its own language
        zh = {**fmt, "extra": localize(extra, "zh")}
        en = {**fmt, "extra": localize(extra, "en")}
        return Finding(
            check.code,
            check.severity,
            sheet,
            row,
            column,
            cell,
            check.message_zh.format(**zh) + render("sep.sentence", "zh") + check.fix_zh,
            _cap(check.message_en.format(**en))
            + render("sep.sentence", "en")
            + _cap(check.fix_en)
            + ".",
            value,
            file,
        )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


REGISTRY: dict[str, Check] = {}


def check(
    code: str,
    severity: str,
    name_zh: str,
    name_en: str,
    message_zh: str,
    message_en: str,
    fix_zh: str,
    fix_en: str,
    example: str,
    requirement: str = "",
):
    """Register a check function under its code (one decorator per check)."""

    def deco(fn: Callable[[Context, Check], Iterator[Finding]]):
        check = Check(
            code,
            severity,
            name_zh,
            name_en,
            message_zh,
            message_en,
            fix_zh,
            fix_en,
            example,
            requirement,
        )
        REGISTRY[code] = Check(**{**check.__dict__, "run": lambda ctx, _c=check: fn(ctx, _c)})
        return fn

    return deco
