"""The README's table of checks and table of policy settings, generated from the code.

`python -m followup_xl.readme_tables --write` refreshes README.md between the
markers; a test fails when the README and the check registry or the policy disagree,
so a new check or setting cannot go undocumented.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .checks import ERROR, ordered_checks
from .settings import Policy, describe_settings


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
    names = [n for n in Policy.model_fields if n not in ("staff", "score_items")]
    rows = [
        [f"{row['key']}", f"`{name}`", row["value"] or "—", row["description"]]
        for name, row in zip(names, describe_settings("zh"), strict=True)
    ]
    return _table(["规则 sheet 参数", "TOML key", "default 默认值", "说明"], rows)


BLOCKS = {"checks-table": checks_table, "policy-table": policy_table}


def splice(readme: str) -> str:
    """README text with every generated block replaced by what the code says now."""
    for name, render in BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, found, rest = readme.partition(start)
        if found and end in rest:
            readme = f"{head}{start}\n{render()}\n{end}{rest.partition(end)[2]}"
    return readme


if __name__ == "__main__":
    path = Path(__file__).resolve().parents[1] / "README.md"
    text = path.read_text(encoding="utf-8")
    if "--write" in sys.argv:
        path.write_text(splice(text), encoding="utf-8")
    else:
        print(checks_table() + "\n\n" + policy_table())
