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

from ..results import DueItem, DueList, Text, ValidationReport, origin_text

SHAPES: dict[type, Callable[[Any, str], Any]] = {}


def shape(kind: type):
    """Register how a result type looks in JSON (before dates and Text are converted)."""

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
    if isinstance(obj, Text):
        return obj.say(lang)
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
    out = {"as_of": d.as_of, "counts": d.counts, "items": d.items, "warnings": d.warnings}
    return _with_output(out, d.output)


@shape(ValidationReport)
def _validation(r: ValidationReport, lang: str) -> dict:
    findings = []
    for f in r.findings:
        src = r.origin(f)
        findings.append(
            {
                **f.to_dict(lang),
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
