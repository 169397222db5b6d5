"""The README's tables of checks and policy settings are what the code says."""

import dataclasses
from pathlib import Path

from followup_xl.checks import REGISTRY
from followup_xl.messages import catalog
from followup_xl.readme_tables import BLOCKS, splice
from followup_xl.settings import Policy

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(text: str, name: str) -> str:
    return text.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0]


def test_readme_tables_are_current():
    for name in BLOCKS:
        assert README.count(f"<!-- {name}:start -->") == README.count(f"<!-- {name}:end -->") == 1
    assert splice(README) == README, (
        "README tables of checks / policy settings are stale: python -m followup_xl.readme_tables --write"
    )


def test_every_check_and_every_setting_has_a_row():
    checks = block(README, "checks-table")
    assert all(f"| {code} |" in checks for code in REGISTRY)
    settings = block(README, "policy-table")
    for name in set(Policy.model_fields) - {"staff", "score_items"}:
        assert f"| `{name}` |" in settings, name


def test_a_new_check_makes_the_readme_stale(monkeypatch):
    monkeypatch.setitem(REGISTRY, "V99", dataclasses.replace(REGISTRY["V1"], code="V99"))
    for part in ("name", "message", "fix", "example"):
        entry = dict(catalog()[f"check.V1.{part}"])
        if part == "name":
            entry["en"] = "a check nobody documented"
        monkeypatch.setitem(catalog(), f"check.V99.{part}", entry)
    fresh = block(splice(README), "checks-table")
    assert "| V99 |" in fresh and "a check nobody documented" in fresh
    assert splice(README) != README
