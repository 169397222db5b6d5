"""The docs' tables of checks, policy settings and sheet columns, generated from the code.

`python -m followup_xl.readme_tables --write` refreshes docs/checks.md, docs/rules.md (the 规则
settings and the 回访规则 table) and docs/sheets.md between the markers; a test fails when a page and the check registry, the
policy or the schema disagree, so a new check, setting or column cannot go undocumented.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import schema
from .checks import ERROR, ordered_checks
from .settings import NOT_SETTINGS, Policy, describe_settings


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def checks_table() -> str:
    rows = [
        [
            c.code,
            "错误 error" if c.severity == ERROR else "警告 warning",
            c.text("name", "zh"),
            c.text("name", "en"),
            c.text("example"),
        ]
        for c in ordered_checks()
    ]
    return _table(["code", "severity", "名称", "name", "example 例子"], rows)


def policy_table() -> str:
    names = [n for n in Policy.model_fields if n not in NOT_SETTINGS]
    rows = [
        [f"{row['key']}", f"`{name}`", row["value"] or "—", row["description"]]
        for name, row in zip(names, describe_settings("zh"), strict=True)
    ]
    return _table(["规则 sheet 参数", "TOML key", "default 默认值", "说明"], rows)


def rule_table() -> str:
    """The 回访规则 table as it stands by default: P1–P24 with the REQUIREMENTS ids."""
    from .messages import render
    from .ruletable import RuleTable

    def unit(rule) -> str:
        return "" if rule.offset is None else f"{rule.offset} {rule.unit}"

    rows = [
        [
            rule.code,
            render(f"rule.{rule.code}", "zh"),
            render(f"rule.{rule.code}", "en"),
            f"{rule.trigger} {rule.trigger_value}".strip(),
            unit(rule) or "—",
            "—" if rule.window_workdays is None else rule.window_workdays,
            rule.caller,
            rule.method,
            "—" if rule.target_pct is None else f"{rule.target_pct:g}%",
            "✓" if rule.hard else "",
            "、".join(rule.call_types) or "—",
        ]
        for rule in RuleTable.for_policy(Policy())
    ]
    head = [
        "REQUIREMENTS 规则编号",
        "名称",
        "name",
        "触发 触发值",
        "期限 单位",
        "有效期(工作日)",
        "回访人",
        "方式",
        "目标覆盖率%",
        "硬期限",
        "回访类型",
    ]
    return _table(head, rows)


def columns_table() -> str:
    rows = [
        [
            f"{sheet.zh} {sheet.en}",
            col.zh,
            col.en,
            f"`{col.key}`",
            col.type.value + (" (formula 公式)" if col.computed else ""),
            "✓" if col.required else "",
            "; ".join(c.zh for c in col.choices),
            "; ".join(col.aliases),
        ]
        for sheet in schema.SHEETS
        for col in (*sheet.columns, *sheet.computed)
    ]
    head = [
        "sheet 工作表",
        "列",
        "column",
        "key",
        "type",
        "必填",
        "下拉值 dropdown",
        "also read as 别名",
    ]
    return _table(head, rows)


BLOCKS = {
    "checks-table": checks_table,
    "policy-table": policy_table,
    "rule-table": rule_table,
    "columns-table": columns_table,
}
DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = {
    "checks-table": "checks.md",
    "policy-table": "rules.md",
    "rule-table": "rules.md",
    "columns-table": "sheets.md",
}


def splice(page: str) -> str:
    """Page text with every generated block replaced by what the code says now."""
    for name, render in BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, found, rest = page.partition(start)
        if found and end in rest:
            page = f"{head}{start}\n{render()}\n{end}{rest.partition(end)[2]}"
    return page


if __name__ == "__main__":
    for name in sorted(set(PAGES.values())):
        path = DOCS / name
        if "--write" in sys.argv:
            path.write_text(splice(path.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            print(splice(path.read_text(encoding="utf-8")))
