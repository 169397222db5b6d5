"""`followup-xl rules`: every check, documented by the tool itself (like a linter)."""

from __future__ import annotations

import click

from ..checks import REGISTRY, ordered_checks
from ..errors import UnknownCheck
from ..messages import labels, render
from .common import emit_json, guarded, json_option, lang_option


@click.command("rules")
@click.argument("code", required=False)
@lang_option
@json_option
@guarded
def rules(code, lang, as_json):
    """List the entry checks, or explain one: `followup-xl rules V7`.  列出或解释校验规则。"""
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
