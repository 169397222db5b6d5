"""Checks as small named units, and findings as data.

A check has a stable code and a severity; its name, message template, fix hint and example
are catalog entries (``check.CODE.name`` …, data/messages.toml) that `followup-xl rules`
prints like a linter documents its rules. A finding is plain data that names the sheet (as
in the file), the Excel row, the header text and the cell, and carries its sentence as a
Message, put into words only in the language it is shown in (terminal, JSON, annotated
workbook, in-place button: rendered elsewhere).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..messages import Message, render
from ..models import Book, Record
from ..settings import Policy

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    requirement: str = ""  # REQUIREMENTS / seed reference
    run: Callable[[Context], Iterator[Finding]] | None = None

    def text(self, part: str, lang: str = "zh", /, **params) -> str:
        """The check's name, message ({value} {column} {extra}), fix or example in ``lang``."""
        return render(f"check.{self.code}.{part}", lang, **params)


@dataclass
class Finding:
    code: str
    severity: str
    sheet: str | None
    row: int | None
    column: str | None
    cell: str | None
    said: Message  # check.CODE.message with the cell's value, column and extra
    value: object = None
    file: str | None = None  # the workbook the cell is in (a master's archive file, for one)

    def message(self, lang: str = "zh") -> str:
        """What is wrong and how to fix it, in ``lang`` (English capitalised, a full stop)."""
        fix = render(f"check.{self.code}.fix", lang)
        if lang == "en":
            return f"{_cap(self.said.render(lang))}{render('sep.sentence', lang)}{_cap(fix)}."
        return self.said.render(lang) + render("sep.sentence", lang) + fix


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
        extra: object = "",  # a str, a catalog Message, or any value shown as it is
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
        said = Message(
            f"check.{check.code}.message",
            {"value": "" if value is None else value, "column": col_label, "extra": extra},
        )
        return Finding(check.code, check.severity, sheet, row, column, cell, said, value, file)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


REGISTRY: dict[str, Check] = {}


def check(code: str, severity: str, *, requirement: str = ""):
    """Register a check function under its code (one decorator per check; its texts are the
    catalog's check.CODE.* entries)."""

    def deco(fn: Callable[[Context, Check], Iterator[Finding]]):
        bare = Check(code, severity, requirement)

        def run(ctx: Context) -> Iterator[Finding]:
            return fn(ctx, bare)

        REGISTRY[code] = Check(code, severity, requirement, run)
        return fn

    return deco
