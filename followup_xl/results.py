"""What the API returns: plain objects with dates as dates and sentences as Messages.

The CLI turns these into JSON (cli/jsonout.py) and the writers into cells; neither has to
parse an ISO string back or pick a language before the user has chosen one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .checks.base import ERROR, WARNING, Finding
from .dating import Place
from .messages import Message, message, render
from .models import Source

if TYPE_CHECKING:
    from .fingerprint import Mismatch
    from .merge import Change, Conflict
    from .schedule import Plan
    from .weekly import Weekly


# ---- validate ---------------------------------------------------------------------------------------

FLAT = ("code", "sheet", "cell", "message")


def origin_text(src: Source, lang: str = "zh") -> str:
    """A staff book row a master's finding came from: 张伟.xlsx › 回访记录 › 第12行."""
    sep = " › "
    row = render("api.row", lang, row=src.row) if src.row else ""
    return sep.join([src.file, src.sheet, row]).rstrip(sep)


@dataclass
class ValidationReport:
    """One file's findings, in the manner of frictionless' ``Report``: ``valid``, ``errors``,
    ``warnings``, ``flatten``. ``origins`` names, for a master, the staff book row of each finding."""

    file: str
    as_of: dt.date
    findings: list[Finding] = field(default_factory=list)
    origins: dict[tuple[str, int], Source] = field(default_factory=dict)
    annotated: str | None = None
    annotate_notes: list[Message] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        """No errors (warnings allowed), as the exit code says."""
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.valid else 1

    def origin(self, finding: Finding) -> Source | None:
        if finding.sheet is None or finding.row is None:
            return None
        return self.origins.get((finding.sheet, finding.row))

    def flatten(self, spec: Sequence[str] = FLAT, lang: str = "zh") -> list[list]:
        """One row per finding with the ``spec`` fields: code, severity, sheet, row, column, cell,
        message (in ``lang``), value, file (the finding's workbook), source (the staff book row,
        for a master)."""
        return [_flat(self.file, f, self.origin(f), spec, lang) for f in self.findings]


def _flat(file: str, f: Finding, src: Source | None, spec: Sequence[str], lang: str) -> list:
    extra = {
        "file": f.file or file,  # a master's archive file, for a finding in one
        "message": f.message(lang),
        "source": origin_text(src, lang) if src else None,
    }
    return [extra[k] if k in extra else getattr(f, k) for k in spec]


@dataclass
class ValidationRun:
    """Several files checked together (frictionless' tasks): one report per readable file and a
    sentence for each file that could not be read."""

    tasks: list[ValidationReport] = field(default_factory=list)
    unreadable: list[Message | str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for t in self.tasks for f in t.findings]

    @property
    def errors(self) -> list[Finding]:
        return [f for t in self.tasks for f in t.errors]

    @property
    def warnings(self) -> list[Finding]:
        return [f for t in self.tasks for f in t.warnings]

    @property
    def valid(self) -> bool:
        return not self.unreadable and all(t.valid for t in self.tasks)

    def flatten(self, spec: Sequence[str] = ("file", *FLAT), lang: str = "zh") -> list[list]:
        return [row for t in self.tasks for row in t.flatten(spec, lang)]


# ---- due ---------------------------------------------------------------------------------------------

DUE_ORDER = {"overdue": 0, "due": 1, "upcoming": 2, "missed": 3}


@dataclass(frozen=True)
class DueItem:
    """One open (or missed) follow-up as the due list shows it."""

    customer_id: str
    customer_name: str | None
    owner: str | None
    rule: str
    due_date: dt.date
    status: str  # overdue / due / upcoming / missed
    escalate: bool
    days_overdue: int
    lapse_date: dt.date | None
    reason: Message
    source: str | None
    maybe_done_on: dt.date | None
    maybe_done_by: str | None
    contact: str | None
    phone: str | None

    @property
    def hint(self) -> Message | None:
        """The call that may already have done it (its call type to be checked)."""
        if not self.maybe_done_on:
            return None
        return message("due.maybe_done", hint=self.maybe_done_on.isoformat())

    def sort_key(self):
        return (
            not self.escalate,
            DUE_ORDER[self.status],
            self.due_date,
            self.owner or "",
            self.customer_id,
            self.rule,
        )


@dataclass
class DueList:
    """`followup-xl due`: the items in the order shown, and the counts per status."""

    as_of: dt.date
    items: list[DueItem]
    warnings: list[Message] = field(
        default_factory=list
    )  # the calendar's, and dates read or left out
    output: str | None = None
    excluded: list[Place] = field(default_factory=list)  # calls whose date could not be read

    @property
    def counts(self) -> dict[str, int]:
        counts = {s: sum(1 for i in self.items if i.status == s) for s in DUE_ORDER}
        counts["escalate"] = sum(1 for i in self.items if i.escalate)
        return counts

    def active(self) -> list[DueItem]:
        return [i for i in self.items if i.status != "missed"]

    def missed(self) -> list[DueItem]:
        return [i for i in self.items if i.status == "missed"]


# ---- schedule, weekly -------------------------------------------------------------------------------


@dataclass
class Schedule:
    """`followup-xl schedule`: the week's plan (the core's own object) and what to warn about."""

    plan: Plan
    warnings: list[Message] = field(
        default_factory=list
    )  # the calendar's, and dates read or left out
    output: str | None = None
    excluded: list[Place] = field(default_factory=list)  # calls whose date could not be read


@dataclass
class WeeklySummary:
    """`followup-xl weekly`: the week's figures (the core's own object)."""

    week: Weekly
    output: str | None = None


# ---- merge -----------------------------------------------------------------------------------------


@dataclass
class MergeResult:
    """`followup-xl merge`: what was read, merged and written. ``exit_code``: 0 all merged, 1 some
    inputs failed (or nothing written with --strict), 2 nothing could be read."""

    master: str
    inputs: list[dict]  # one row per input file, as the master's 来源 sheet lists it
    customers: int
    calls: int
    events: int
    duplicates_dropped: int
    conflicts: list[Conflict]
    changes: list[Change]
    pending: int
    tampered: list[Mismatch]
    warnings: list[Message | str]
    written: bool = False
    exit_code: int = 0
    # lineage (issue 25): the master named as the base (None: merged without one), the generation a
    # forgotten base would have had, the new master's generation, books left out or held as stale
    base: dict | None = None
    expected_base: dict | None = None
    generation: dict | None = None
    books: dict = field(default_factory=dict)
    staff_added: list[str] = field(default_factory=list)  # 人员 rows filled from the data (待补充)

    @property
    def held(self) -> list[Change]:
        """This run's changes waiting for the manager's yes, each with its reason."""
        return [c for c in self.changes if c.status == "pending"]


# ---- report, scores, verify, export, rollup ---------------------------------------------------------


@dataclass
class MonthlyReport:
    """`followup-xl report`: the core's figures (report.monthly_report: numbers, dates as dates,
    lists of rows), keyed as the JSON prints them."""

    figures: dict
    output: str | None = None


@dataclass
class YearlyScores:
    """`followup-xl scores`: the core's figures (scores.yearly_scores), dates as dates."""

    figures: dict
    output: str | None = None


@dataclass
class Verification:
    """`followup-xl verify`: rows of a master edited by hand since it was written."""

    master: str
    checked: int
    mismatches: list[Mismatch]  # every finding (Mismatch.finding says what it is)
    whole_master: bool = False  # compared with what it was written with (mastercheck.py)
    warnings: list[Message] = field(default_factory=list)  # why the whole master could not be

    @property
    def exit_code(self) -> int:
        return 1 if self.mismatches else 0


@dataclass
class Export:
    """`followup-xl export`: what was written under ``output`` for each office."""

    output: str
    as_of: dt.date
    phones_masked: bool
    snapshots: list[dt.date]
    offices: list[dict]


@dataclass
class RegionMonth:
    """`followup-xl rollup`: every exported office's month, ranked."""

    month: str
    start: dt.date
    end: dt.date
    folder: str
    offices: list[dict]
    engine: str = "duckdb"
    output: str | None = None
    warnings: list[Message | str] = field(default_factory=list)  # folders skipped


# ---- split, handover ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitBook:
    """One person's book written by `split`."""

    owner: str
    path: str
    customers: int
    calls: int
    events: int
    open_items: int
    class_a_masked: bool
    password: bool  # whether it has an opening password (never the password itself)


@dataclass
class Split:
    """`followup-xl split`: the books written, and the ones renamed to avoid a clash."""

    master: str
    as_of: dt.date
    output_dir: str
    books: list[SplitBook]
    notes: list[Message]


@dataclass
class Handover:
    """`followup-xl handover`: the plan's figures; ``plan`` is the plan workbook (--plan-only),
    otherwise ``output`` (the new master), ``record`` (the 交接单) and the notices."""

    master: str
    leaver: str
    receivers: list[str]
    date: dt.date
    by: str | None
    moved: int
    summary: list[dict]
    warnings: list[Message]
    plan: str | None = None
    output: str | None = None
    record: str | None = None
    sms: int = 0
    calls: int = 0
    phone_missing: int = 0  # notices held on 待补充电话: the receiver has no phone in 人员


# ---- import ----------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """`followup-xl import`: the staff workbook written from an office's own tracker."""

    output: str
    inputs: list[str]
    customers: int
    calls: int
    events: int
    mapped: dict[str, str]  # header → "sheet.field"
    unmapped_columns: list[str]
    skipped: list[dict]  # {sheet, row, reason}
    sheets: dict[str, str]  # sheet → the layout recognised
    assumed: dict[str, int]  # field → rows where a default was assumed
    # every data row's outcome: {sheet, row, outcome (new | same | duplicate | call | taken |
    # skipped), customer_id, same_as {sheet, row}, reason}
    rows: list[dict] = field(default_factory=list)
    columns: list[dict] = field(default_factory=list)  # {sheet, header, target, status}
    notes: list[Message] = field(
        default_factory=list
    )  # what import noticed (transactions, row ids)
    possible_duplicates: int = 0  # customers kept apart that may be one: listed for review
    preview: bool = False  # --preview: nothing imported; ``output`` is the preview workbook
    map_file: str | None = None  # --preview: the mapping, to edit and pass back with --map
    merge: MergeResult | None = None  # --into: the merge of the imported book into the master
    into_books: list[str] = field(default_factory=list)  # --into: the books merged, one a 负责人
