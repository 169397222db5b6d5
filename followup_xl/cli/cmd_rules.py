"""`followup-xl rules`: every check, documented by the tool itself (like a linter); with
`--policy`, the follow-up rules in force (the 回访规则 table)."""

from __future__ import annotations

import click

from ..checks import REGISTRY, ordered_checks
from ..errors import UnknownCheck
from ..messages import labels, render
from .common import echo, echo_warnings, emit_json, guarded, json_option, lang_option


@click.command("rules")
@click.argument("code", required=False)
@click.option(
    "--policy",
    "policy_src",
    is_flag=False,
    flag_value="-",
    default=None,
    metavar="[BOOK_OR_TOML]",
    help="Show the follow-up rules in force (回访规则): the defaults, or those of a workbook "
    "(master or staff book) or a TOML policy file. 显示生效的回访规则。",
)
@lang_option
@json_option
@guarded
def rules(code, policy_src, lang, as_json):
    """List the entry checks, or explain one: `followup-xl rules V7`.  列出或解释校验规则。

    With --policy: the follow-up rules in force, one row each.  加 --policy：列出回访规则。"""
    if policy_src is not None:
        _rule_table(code if policy_src == "-" and code else policy_src, lang, as_json)
        return
    if code:
        chk = REGISTRY.get(code.upper()) or REGISTRY.get(code)
        if chk is None:
            raise UnknownCheck("rules.unknown_code", code=code)
        checks = [chk]
    else:
        checks = ordered_checks()
    severity = {
        "error": render("severity.error", lang),
        "warning": render("severity.warning", lang),
    }
    rows = [
        {
            "code": c.code,
            "severity": c.severity,
            "name": c.text("name", lang),
            "message": c.text("message", lang, value="…", column="…", extra="…"),
            "fix": c.text("fix", lang),
            "example": c.text("example", lang),
            "requirement": c.requirement,
        }
        for c in checks
    ]
    if as_json:
        emit_json(rows)
        return
    if code:
        r = rows[0]
        headers = tuple(labels("rules.headers", lang))
        for label, key in zip(
            headers, ("code", "severity", "name", "message", "fix", "example", "requirement")
        ):
            value = severity.get(r[key], r[key]) if key == "severity" else r[key]
            click.echo(f"{label}: {value}")
        return
    for r in rows:
        click.echo(f"{r['code']:<5} {severity.get(r['severity'], r['severity']):<8} {r['name']}")


def _rule_table(source: str, lang: str, as_json: bool) -> None:
    """The 回访规则 in force for ``source`` ("-": the defaults; a .toml file over the defaults;
    else a workbook: its 规则 and 回访规则 sheets), as a table or JSON."""
    from ..ruletable import RuleTable
    from ..settings import Policy, load_policy_toml, policy_and_notes

    notes: list = []
    if source == "-":
        policy = Policy()
    elif source.lower().endswith(".toml"):
        policy = load_policy_toml(source)
    else:
        from ..io.read.workbook import read_book

        policy, notes = policy_and_notes(read_book(source))
    rows = [_row(rule, lang) for rule in RuleTable.for_policy(policy)]
    echo_warnings(notes, lang)
    if as_json:
        emit_json(rows, lang)
        return
    head = labels("rules.table_headers", lang)
    cells = [
        [
            r["code"],
            r["name"],
            f"{r['trigger']} {r['trigger_value']}".strip(),
            "" if r["offset"] is None else f"{r['offset']} {r['unit']}",
            "" if r["window_workdays"] is None else str(r["window_workdays"]),
            r["caller"],
            r["method"],
            "" if r["target_pct"] is None else f"{r['target_pct']}%",
            "✓" if r["hard"] else "·",
            "✓" if r["enabled"] else "·",
        ]
        for r in rows
    ]
    widths = [
        max(_width(str(c)) for c in [h, *(row[i] for row in cells)]) for i, h in enumerate(head)
    ]
    for line in [head, *cells]:
        echo("  ".join(_pad(str(c), w) for c, w in zip(line, widths, strict=True)).rstrip())


def _row(rule, lang: str) -> dict:
    """One rule as `rules --policy` shows it (dropdown values in ``lang``)."""
    from .. import schema

    def said(choices, value):
        hit = next((c for c in choices if c.zh == value), None)
        return (hit.en if lang == "en" else hit.zh) if hit else value

    return {
        "code": rule.code,
        "name": render(f"rule.{rule.code}", lang) if rule.builtin else rule.name,
        "trigger": said(schema.RULE_TRIGGERS, rule.trigger),
        "trigger_value": rule.trigger_value,
        "offset": rule.offset,
        "unit": said(schema.RULE_UNITS, rule.unit),
        "repeat_months": rule.repeat_months,
        "window_workdays": rule.window_workdays,
        "caller": said(schema.RULE_CALLERS, rule.caller),
        "method": said(schema.RULE_METHODS, rule.method),
        "target_pct": rule.target_pct,
        "hard": rule.hard,
        "call_types": list(rule.call_types),
        "classes": list(rule.classes),
        "enabled": rule.enabled,
        "builtin": rule.builtin,
        "note": rule.note,
    }


def _width(text: str) -> int:
    """Columns a terminal gives the text (a CJK character takes two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
