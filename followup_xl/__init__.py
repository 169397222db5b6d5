"""followup-xl (客户回访助手): customer follow-up calls, run from Excel.

The domain (schema, models, settings, checks, calendar, policy, schedule, report)
is plain Python over plain data; ``io`` reads and writes workbooks, ``xl`` is the
xlwings bridge behind the workbook button, ``cli`` the click layer, and ``api``
what a developer calls: ``from followup_xl import Office``.

The package exports ``Office``, the result types and ``FollowupError``, loaded on first use
(importing one core module never pulls in the readers). The functions stay in
``followup_xl.api``: most share a name with a core module here (schedule, report, split…).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import (
        DueItem,
        DueList,
        Export,
        FollowupError,
        Handover,
        ImportResult,
        MergeResult,
        MonthlyReport,
        Office,
        RegionMonth,
        Schedule,
        Split,
        SplitBook,
        ValidationReport,
        ValidationRun,
        Verification,
        WeeklySummary,
        YearlyScores,
    )

__all__ = [
    "DueItem",
    "DueList",
    "Export",
    "FollowupError",
    "Handover",
    "ImportResult",
    "MergeResult",
    "MonthlyReport",
    "Office",
    "RegionMonth",
    "Schedule",
    "Split",
    "SplitBook",
    "ValidationReport",
    "ValidationRun",
    "Verification",
    "WeeklySummary",
    "YearlyScores",
    "__version__",
]


def __getattr__(name: str):
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
