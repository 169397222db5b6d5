"""The entry checks (REQUIREMENTS V1–V11 and the ones they imply), and running them.

`run_checks` is what both the CLI (`followup-xl validate`) and the workbook
button call, so staff and manager always see the same findings.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..models import Book
from ..settings import Policy
from . import duties, entries, formulas, relations, structure  # noqa: F401  (importing them registers their checks)
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

    return [REGISTRY[check] for check in sorted(REGISTRY, key=key)]


def staff_roles(book: Book, policy: Policy) -> dict[str, str]:
    roles: dict[str, str] = {
        person["name"]: person["role"]
        for person in policy.staff
        if person.get("name") and person.get("role")
    }
    roles.update({person.name: person.role for person in book.staff if person.name and person.role})
    return roles


def run_checks(
    book: Book, policy: Policy, as_of: dt.date, file: str | None = None
) -> ValidationReport:
    from ..results import ValidationReport  # results names Finding: imported here, not at the top

    ctx = Context(book, policy, as_of, staff_roles(book, policy))
    report = ValidationReport(file or book.path, as_of)
    for chk in ordered_checks():
        assert chk.run is not None  # the @check decorator registers each with its function
        report.findings.extend(chk.run(ctx))
    for finding in report.findings:  # a whole-sheet finding, or a record read without a file
        finding.file = finding.file or report.file
    order: dict[str | None, int] = {}
    for infos in book.sheets.values():
        for info in infos:
            order[info.name] = len(order)
    report.findings.sort(
        key=lambda finding: (
            order.get(finding.sheet, -1),
            finding.row or 0,
            finding.cell or "",
            finding.code,
        )
    )
    return report
