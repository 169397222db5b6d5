"""The one place objects become JSON: dataclasses → dicts, dates → ISO, messages in --lang.

The API returns objects (followup_xl/results.py and the core's own); each command's JSON is
their shape here, key for key what `--json` has always printed (tests/reference/json).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from ..checks.base import Finding
from ..fingerprint import Mismatch
from ..merge import Change, Conflict, field_label
from ..messages import Label, Message, localize
from ..results import (
    DueItem,
    DueList,
    Export,
    Handover,
    MergeResult,
    MonthlyReport,
    RegionMonth,
    Schedule,
    ValidationReport,
    Verification,
    WeeklySummary,
    YearlyScores,
    origin_text,
)
from ..schedule import Appointment, Duty, Plan, PlanItem, SmsItem, Unscheduled
from ..weekly import Weekly

SHAPES: dict[type, Callable[[Any, str], Any]] = {}


def shape(kind: type):
    """Register how a result type looks in JSON (before dates and messages are converted)."""

    def deco(fn):
        SHAPES[kind] = fn
        return fn

    return deco


def to_json(obj: Any, lang: str = "zh") -> Any:
    """``obj`` as plain JSON values: registered shapes first, then dataclasses field by field."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (dt.date, dt.time)):
        return obj.isoformat()
    if isinstance(obj, (Message, Label)):  # the catalog's own (messages.py): in --lang
        return localize(obj, lang)
    for kind in type(obj).__mro__:
        if kind in SHAPES:
            return to_json(SHAPES[kind](obj, lang), lang)
    if hasattr(obj, "model_dump"):
        return to_json(obj.model_dump(), lang)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_json(getattr(obj, f.name), lang) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_json(v, lang) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_json(v, lang) for v in obj]
    return obj


def dumps(obj: Any, lang: str = "zh", ascii_only: bool = False) -> str:
    return json.dumps(to_json(obj, lang), ensure_ascii=ascii_only, indent=2)


def _with_output(d: dict, output: str | None) -> dict:
    return {**d, "output": output} if output else d


@shape(DueItem)
def _due_item(i: DueItem, lang: str) -> dict:
    return {
        "customer_id": i.customer_id,
        "customer_name": i.customer_name,
        "owner": i.owner,
        "rule": i.rule,
        "due_date": i.due_date,
        "status": i.status,
        "escalate": i.escalate,
        "days_overdue": i.days_overdue,
        "lapse_date": i.lapse_date,
        "reason": i.reason,
        "source": i.source,
        "maybe_done_on": i.maybe_done_on,
        "maybe_done_by": i.maybe_done_by,
        "hint": i.hint,
        "contact": i.contact,
        "phone": i.phone,
    }


@shape(DueList)
def _due(d: DueList, lang: str) -> dict:
    out = {
        "as_of": d.as_of,
        "counts": d.counts,
        "items": d.items,
        "warnings": d.warnings,
        "excluded": d.excluded,
    }
    return _with_output(out, d.output)


@shape(Finding)
def _finding(f: Finding, lang: str) -> dict:
    keys = ("code", "severity", "sheet", "row", "column", "cell")
    return {**{k: getattr(f, k) for k in keys}, "message": f.message(lang), "file": f.file}


@shape(ValidationReport)
def _validation(r: ValidationReport, lang: str) -> dict:
    findings = []
    for f in r.findings:
        src = r.origin(f)
        findings.append(
            {
                **_finding(f, lang),
                "source": {
                    "file": src.file,
                    "sheet": src.sheet,
                    "row": src.row,
                    "text": origin_text(src, lang),
                }
                if src
                else None,
            }
        )
    out = {
        "file": r.file,
        "as_of": r.as_of,
        "findings": findings,
        "summary": {"errors": len(r.errors), "warnings": len(r.warnings)},
    }
    if r.annotated:
        out |= {"annotated": r.annotated, "annotate_notes": r.annotate_notes}
    return out


@shape(PlanItem)
def _plan_item(i: PlanItem, lang: str) -> dict:
    keys = ("date", "owner", "customer_id", "customer_name", "rule", "due_date")
    return {
        **{k: getattr(i, k) for k in keys},
        "overdue": i.overdue,
        "carried": i.carried,
        "escalate": i.escalate,
        "note": i.note or "",
        "hard": i.hard,
        "method": i.method,  # None: by phone
        "preferred_time": i.preferred_time,
    }


@shape(Duty)
def _duty(d: Duty, lang: str) -> dict:
    keys = ("owner", "customer_id", "customer_name", "rule", "method", "due_date", "reason")
    return {**{k: getattr(d, k) for k in keys}, "escalate": d.escalate, "note": d.note or ""}


@shape(SmsItem)
def _sms_item(m: SmsItem, lang: str) -> dict:
    """A line of the SMS list without the number (as the plan's items): ``instead`` says why
    the customer is greeted by phone rather than texted."""
    keys = ("owner", "customer_id", "customer_name", "contact", "rule", "due_date", "text")
    return {**{k: getattr(m, k) for k in keys}, "instead": m.instead}


@shape(Unscheduled)
def _unscheduled(u: Unscheduled, lang: str) -> dict:
    keys = ("owner", "customer_id", "customer_name", "rule", "due_date")
    return {**{k: getattr(u, k) for k in keys}, "reason": u.reason}


@shape(Appointment)
def _appointment(a: Appointment, lang: str) -> dict:
    return {k: getattr(a, k) for k in ("owner", "week_start", "week_end", "required", "done")}


@shape(Plan)
def _plan(p: Plan, lang: str) -> dict:
    keys = ("week_start", "week_end", "as_of", "batch_days", "items", "unscheduled")
    return {
        **{k: getattr(p, k) for k in keys},
        "appointments": p.appointments,
        "escalations": p.escalations,
        "duties": p.duties,
        "sms": p.sms,
    }


@shape(Schedule)
def _schedule(s: Schedule, lang: str) -> dict:
    return _with_output(
        {**to_json(s.plan, lang), "warnings": s.warnings, "excluded": s.excluded}, s.output
    )


@shape(Weekly)
def _weekly(w: Weekly, lang: str) -> dict:
    return {
        "week_start": w.week_start,
        "week_end": w.week_end,
        "report_day": w.report_day,
        "report_moved_to_sunday": w.report_moved,
        "by_owner": w.by_owner,
        "projects": w.projects,
        "warnings": w.notes,
        "excluded": w.excluded,
    }


@shape(WeeklySummary)
def _weekly_summary(w: WeeklySummary, lang: str) -> dict:
    return _with_output(to_json(w.week, lang), w.output)


@shape(MonthlyReport)
@shape(YearlyScores)
def _figures(r: MonthlyReport | YearlyScores, lang: str) -> dict:
    return _with_output(r.figures, r.output)


@shape(Mismatch)
def _mismatch(m: Mismatch, lang: str) -> dict:
    keys = ("file", "sheet", "row", "cell", "kind", "id", "finding", "field", "old", "new")
    return {**{k: getattr(m, k) for k in keys}, "message": m.message(lang)}


@shape(Verification)
def _verification(v: Verification, lang: str) -> dict:
    return {
        "master": v.master,
        "checked": v.checked,
        "mismatches": v.mismatches,
        "whole_master": v.whole_master,
        "warnings": v.warnings,
    }


@shape(Export)
def _export(e: Export, lang: str) -> dict:
    keys = ("output", "as_of", "phones_masked", "snapshots", "offices")
    return {k: getattr(e, k) for k in keys}


@shape(RegionMonth)
def _region(r: RegionMonth, lang: str) -> dict:
    keys = ("month", "start", "end", "folder", "engine", "offices")
    out = {k: getattr(r, k) for k in keys}
    if r.warnings:
        out["warnings"] = r.warnings
    return _with_output(out, r.output)


@shape(Handover)
def _handover(h: Handover, lang: str) -> dict:
    keys = ("master", "leaver", "receivers", "date", "by", "moved", "summary", "warnings")
    out = {k: getattr(h, k) for k in keys}
    if h.plan:
        return {**out, "plan": h.plan}
    done = {**out, "output": h.output, "record": h.record, "sms": h.sms, "calls": h.calls}
    return {**done, "phone_missing": h.phone_missing} if h.phone_missing else done


@shape(Conflict)
def _conflict(c: Conflict, lang: str) -> dict:
    return {
        f.name: getattr(c, f.name) for f in dataclasses.fields(c)
    }  # why/kept: Message, in --lang


@shape(Change)
def _change(c: Change, lang: str) -> dict:
    return {
        "kind": c.kind,
        "id": c.id,
        "field": field_label(c.kind, c.field),  # the header in --lang
        "old": c.old,  # old/new: dates become ISO text in to_json
        "new": c.new,
        "source": c.source,  # merge.place, in --lang
        "who": c.who,
        "status": c.status,
        "reason": c.reason or None,  # why it waits for the manager's yes (a Message, in --lang)
    }


@shape(MergeResult)
def _merge(m: MergeResult, lang: str) -> dict:
    keys = ("master", "inputs", "customers", "calls", "events", "duplicates_dropped", "conflicts")
    rest = ("changes", "pending", "tampered", "warnings", "written")
    lineage = ("base", "expected_base", "generation", "books", "held", "staff_added")
    return {k: getattr(m, k) for k in (*keys, *rest, *lineage)}
