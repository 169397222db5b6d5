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

from . import lazy

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


# ``followup_xl.Office`` and the others, from ``followup_xl.api`` on first use: the package
# itself imports nothing heavy, so a module below it can read ``__version__`` from it.
__getattr__ = lazy.names(__name__, {name: ".api" for name in __all__ if name != "__version__"})
