"""The staff book's formula columns (followup_xl/formulas.py): a cell typed over by hand.

The book computes its next-call dates and statuses itself; a value typed into one of those
cells stops it recalculating and may show a wrong date. The Python checks stay the authority:
merge never reads these columns, and this check says where a formula was replaced.
"""

from __future__ import annotations

from .. import schema
from ..messages import Message
from ..models import column_letter
from .base import WARNING, Check, Context, Finding, check


@check("V18", WARNING, requirement="issue 32: formula columns are computed, never typed")
def formula_typed_over(ctx: Context, check: Check):
    for key, infos in ctx.book.sheets.items():
        sheet = schema.BY_KEY[key]
        for info in infos:
            for row, column in info.typed_over:
                header = sheet.computed_column(column).zh
                cell = f"{column_letter(info.computed_columns[column])}{row}"
                said = Message(
                    f"check.{check.code}.message", {"value": header, "column": header, "extra": ""}
                )
                yield Finding(
                    check.code, check.severity, info.name, row, header, cell, said, header
                )
