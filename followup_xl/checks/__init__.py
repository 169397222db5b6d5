"""The entry checks (REQUIREMENTS V1–V11 and the ones they imply), and running them.

`run_checks` is what both the CLI (`followup-xl validate`) and the workbook
button call, so staff and manager always see the same findings.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..models import Book
from ..settings import Policy
from . import entries, relations, structure  # noqa: F401  (importing them registers their checks)
from .base import ERROR, REGISTRY, WARNING, Check, Context, Finding

if TYPE_CHECKING:
    from ..results import ValidationReport

__all__ = [
    "ERROR",
    "REGISTRY",
    "WARNING",
    "Check",
    "Finding",
    "ordered_checks",
    "run_checks",
]


def ordered_checks() -> list[Check]:
    def key(code: str):
        num = int("".join(ch for ch in code[1:] if ch.isdigit()))
        return (num, code)

    return [REGISTRY[c] for c in sorted(REGISTRY, key=key)]


def staff_roles(book: Book, policy: Policy) -> dict[str, str]:
    roles = {s.get("name"): s.get("role") for s in policy.staff if s.get("name") and s.get("role")}
    roles.update({s.name: s.role for s in book.staff if s.name and s.role})
    return roles


def run_checks(
    book: Book, policy: Policy, as_of: dt.date, file: str | None = None
) -> ValidationReport:
    from ..results import ValidationReport  # results names Finding: imported here, not at the top

    ctx = Context(book, policy, as_of, staff_roles(book, policy))
    report = ValidationReport(file or book.path, as_of)
    for chk in ordered_checks():
        report.findings.extend(chk.run(ctx))
    for f in report.findings:  # a whole-sheet finding, or a record read without a file
        f.file = f.file or report.file
    order = {}
    for infos in book.sheets.values():
        for info in infos:
            order[info.name] = len(order)
    report.findings.sort(key=lambda f: (order.get(f.sheet, -1), f.row or 0, f.cell or "", f.code))
    return report
