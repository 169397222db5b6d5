"""The docs' tables of checks, policy settings and sheet columns are what the code says."""

import dataclasses

from followup_xl import schema
from followup_xl.checks import REGISTRY
from followup_xl.messages import catalog
from followup_xl.readme_tables import BLOCKS, DOCS, PAGES, splice
from followup_xl.settings import Policy


def page(name: str) -> str:
    return (DOCS / PAGES[name]).read_text(encoding="utf-8")


def block(text: str, name: str) -> str:
    return text.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0]


def test_docs_tables_are_current():
    assert set(PAGES) == set(BLOCKS)
    for name in BLOCKS:
        text = page(name)
        assert text.count(f"<!-- {name}:start -->") == text.count(f"<!-- {name}:end -->") == 1
        assert splice(text) == text, (
            f"docs/{PAGES[name]} is stale: python -m followup_xl.readme_tables --write"
        )


def test_every_check_setting_and_column_has_a_row():
    checks = block(page("checks-table"), "checks-table")
    assert all(f"| {code} |" in checks for code in REGISTRY)
    settings = block(page("policy-table"), "policy-table")
    for name in set(Policy.model_fields) - {"staff", "score_items", "follow_up_rules"}:
        assert f"| `{name}` |" in settings, name
    columns = block(page("columns-table"), "columns-table")
    for sheet in schema.SHEETS:
        for col in sheet.columns:
            assert f"| {sheet.zh} {sheet.en} | {col.zh} | {col.en} | `{col.key}` |" in columns


def test_a_new_check_makes_the_page_stale(monkeypatch):
    text = page("checks-table")
    monkeypatch.setitem(REGISTRY, "V99", dataclasses.replace(REGISTRY["V1"], code="V99"))
    for part in ("name", "message", "fix", "example"):
        entry = dict(catalog()[f"check.V1.{part}"])
        if part == "name":
            entry["en"] = "a check nobody documented"
        monkeypatch.setitem(catalog(), f"check.V99.{part}", entry)
    fresh = block(splice(text), "checks-table")
    assert "| V99 |" in fresh and "a check nobody documented" in fresh
    assert splice(text) != text
