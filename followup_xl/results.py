"""What the API returns: plain objects with dates as dates and sentences as Messages.

The CLI turns these into JSON (cli/jsonout.py) and the writers into cells; neither has to
parse an ISO string back or pick a language before the user has chosen one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .checks.base import ERROR, WARNING, Finding
from .dating import Place
from .errors import MissingPackage
from .messages import Message, localize, message, render, table
from .models import Source

if TYPE_CHECKING:
    from .fingerprint import Mismatch
    from .merge import Change, Conflict
    from .schedule import Plan
    from .weekly import Weekly


class Table:
    """What every result gives a pandas or xlwings user: ``rows(lang)``, a list of dicts of plain
    values (dates as dates, messages and column names in ``lang``), and ``to_pandas(lang)``.

    A result names its main table in ``_records``; nested tables (a person's months, an office's
    coverage) stay on the result itself.
    """

    def _records(self, lang: str) -> Iterable[dict]:
        raise NotImplementedError

    def rows(self, lang: str = "zh") -> list[dict]:
        return _same_columns([_plain_row(r, lang) for r in self._records(lang)])

    def to_pandas(self, lang: str = "zh"):
        """``rows(lang)`` as a pandas DataFrame (pandas is optional: imported only here)."""
        return _frame(self.rows(lang))


def _frame(rows: list[dict]):
    try:
        import pandas as pd
    except ImportError:
        raise MissingPackage("api.needs_pandas", package="pandas") from None
    return pd.DataFrame.from_records(rows)


COLUMNS = table("column")  # a table's column names, by language
SAID_ELSEWHERE = {"overdue": "manager.overdue"}  # a column named as the 管理台 names the figure


def _same_columns(rows: list[dict]) -> list[dict]:
    """Every row with every column (counts by kind differ from row to row), empty where absent."""
    names = list(dict.fromkeys(k for row in rows for k in row))
    return [{k: row.get(k) for k in names} for row in rows]


def _plain_row(record: dict, lang: str) -> dict:
    """Keys as column names in ``lang`` (``x``/``x_en`` pairs as one column); values plain."""
    out: dict = {}
    for key, value in record.items():
        if key.endswith("_en") and key[:-3] in record:
            continue
        if lang == "en" and record.get(f"{key}_en"):
            value = record[f"{key}_en"]
        name = (
            render(SAID_ELSEWHERE[key], lang)
            if key in SAID_ELSEWHERE
            else COLUMNS[lang].get(key, key)
        )
        if isinstance(value, dict):  # counts by kind (outcomes, same_as): one column each
            out |= {f"{name}·{k}": localize(v, lang) for k, v in value.items()}
        elif not (isinstance(value, list) and any(isinstance(v, dict) for v in value)):
            out[name] = localize(value, lang)
    return out


# ---- validate ---------------------------------------------------------------------------------------

FLAT = ("code", "sheet", "cell", "message")


def origin_text(src: Source, lang: str = "zh") -> str:
    """A staff book row a master's finding came from: 张伟.xlsx › 回访记录 › 第12行."""
    sep = " › "
    row = render("api.row", lang, row=src.row) if src.row else ""
    return sep.join([src.file, src.sheet, row]).rstrip(sep)


@dataclass
class ValidationReport(Table):
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

    def _records(self, lang: str) -> Iterable[dict]:
        keys = ("file", "code", "severity", "sheet", "row", "column", "cell", "message", "source")
        return (dict(zip(keys, row)) for row in self.flatten(keys, lang))


def _flat(file: str, f: Finding, src: Source | None, spec: Sequence[str], lang: str) -> list:
    extra = {
        "file": f.file or file,  # a master's archive file, for a finding in one
        "message": f.message(lang),
        "source": origin_text(src, lang) if src else None,
    }
    return [extra[k] if k in extra else getattr(f, k) for k in spec]


@dataclass
class ValidationRun(Table):
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

    def _records(self, lang: str) -> Iterable[dict]:
        return (r for t in self.tasks for r in t._records(lang))


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
class DueList(Table):
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

    def _records(self, lang: str) -> Iterable[dict]:
        keys = ("customer_id", "customer_name", "contact", "phone", "owner", "rule", "status")
        more = ("escalate", "due_date", "days_overdue", "lapse_date", "reason", "hint", "source")
        last = ("maybe_done_on", "maybe_done_by")
        return ({k: getattr(i, k) for k in (*keys, *more, *last)} for i in self.items)


# ---- schedule, weekly -------------------------------------------------------------------------------


@dataclass
class Schedule(Table):
    """`followup-xl schedule`: the week's plan (the core's own object) and what to warn about."""

    plan: Plan
    warnings: list[Message] = field(
        default_factory=list
    )  # the calendar's, and dates read or left out
    output: str | None = None
    excluded: list[Place] = field(default_factory=list)  # calls whose date could not be read

    def _records(self, lang: str) -> Iterable[dict]:
        keys = ("date", "owner", "customer_id", "customer_name", "rule", "due_date", "overdue")
        more = ("carried", "escalate", "note")
        return ({k: getattr(i, k) for k in (*keys, *more)} for i in self.plan.items)


@dataclass
class WeeklySummary(Table):
    """`followup-xl weekly`: the week's figures (the core's own object)."""

    week: Weekly
    output: str | None = None

    def _records(self, lang: str) -> Iterable[dict]:
        return self.week.by_owner


# ---- merge -----------------------------------------------------------------------------------------


@dataclass
class MergeResult(Table):
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

    def _records(self, lang: str) -> Iterable[dict]:
        return self.inputs


# ---- report, scores, verify, export, rollup ---------------------------------------------------------


@dataclass
class MonthlyReport(Table):
    """`followup-xl report`: the core's figures (report.monthly_report: numbers, dates as dates,
    lists of rows), keyed as the JSON prints them."""

    figures: dict
    output: str | None = None

    def _records(self, lang: str) -> Iterable[dict]:
        return self.figures["by_owner"]


@dataclass
class YearlyScores(Table):
    """`followup-xl scores`: the core's figures (scores.yearly_scores), dates as dates."""

    figures: dict
    output: str | None = None

    def _records(self, lang: str) -> Iterable[dict]:
        return self.figures["staff"]


@dataclass
class Verification(Table):
    """`followup-xl verify`: rows of a master edited by hand since it was written."""

    master: str
    checked: int
    mismatches: list[Mismatch]  # every finding (Mismatch.finding says what it is)
    whole_master: bool = False  # compared with what it was written with (mastercheck.py)
    warnings: list[Message] = field(default_factory=list)  # why the whole master could not be

    @property
    def exit_code(self) -> int:
        return 1 if self.mismatches else 0

    def _records(self, lang: str) -> Iterable[dict]:
        keys = ("file", "sheet", "row", "cell", "kind", "id", "finding", "field", "old", "new")
        return (
            {**{k: getattr(m, k) for k in keys}, "message": m.message(lang)}
            for m in self.mismatches
        )


@dataclass
class Export(Table):
    """`followup-xl export`: what was written under ``output`` for each office."""

    output: str
    as_of: dt.date
    phones_masked: bool
    snapshots: list[dt.date]
    offices: list[dict]

    def _records(self, lang: str) -> Iterable[dict]:
        return (
            {"office": o["office"], "master": o["master"], "table": name, **counts}
            for o in self.offices
            for name, counts in o["tables"].items()
        )


@dataclass
class RegionMonth(Table):
    """`followup-xl rollup`: every exported office's month, ranked."""

    month: str
    start: dt.date
    end: dt.date
    folder: str
    offices: list[dict]
    engine: str = "duckdb"
    output: str | None = None
    warnings: list[Message | str] = field(default_factory=list)  # folders skipped

    def _records(self, lang: str) -> Iterable[dict]:
        return self.offices


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
class Split(Table):
    """`followup-xl split`: the books written, and the ones renamed to avoid a clash."""

    master: str
    as_of: dt.date
    output_dir: str
    books: list[SplitBook]
    notes: list[Message]

    def _records(self, lang: str) -> Iterable[dict]:
        return (dataclasses.asdict(b) for b in self.books)


@dataclass
class Handover(Table):
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

    def _records(self, lang: str) -> Iterable[dict]:
        return self.summary


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

    def to_pandas(self, lang: str = "zh"):
        """Every data row's outcome as a DataFrame, as ``Table.to_pandas`` (``rows`` is a field
        here: the outcomes as recorded, keys in English)."""
        return _frame(_same_columns([_plain_row(r, lang) for r in self.rows]))
