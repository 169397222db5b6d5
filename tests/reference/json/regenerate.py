"""Every command's --json on the example office, as the code printed it before the API returned objects.

The API's results became objects and the CLI alone turns them into JSON (cli/jsonout.py); these files
hold the JSON printed before that change, so tests/test_json_reference.py can show the output stayed
the same, key for key. Regenerate only when a command's JSON changes on purpose:

    .venv/bin/python tests/reference/json/regenerate.py
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile

from click.testing import CliRunner

HERE = os.path.dirname(os.path.abspath(__file__))
AS_OF = "2026-11-22"
SHA = re.compile(r"^[0-9a-f]{64}$")

# name → arguments; "{d}" is the working folder. Order matters: later commands read earlier outputs.
CASES: list[tuple[str, list[str]]] = [
    ("rules", ["rules"]),
    ("rules_V7_en", ["rules", "V7", "--lang", "en"]),
    ("init", ["init", "{d}/init"]),
    ("init_owner_macro_en", ["init", "{d}/init_en", "--owner", "Li Na", "--macro", "--lang", "en"]),
    ("init_manager", ["init", "{d}/manager", "--manager"]),
    ("validate", ["validate", "{d}/office/李娜_客户回访.xlsx", "--as-of", AS_OF]),
    (
        "validate_annotate_en",
        [
            "validate",
            "{d}/office/陈静_客户回访.xlsx",
            "--as-of",
            AS_OF,
            "--annotate",
            "{d}/陈静_校验.xlsx",
            "--lang",
            "en",
        ],
    ),
    ("merge", ["merge", "{d}/office", "-o", "{d}/master.xlsx", "--as-of", AS_OF]),
    ("verify", ["verify", "{d}/master.xlsx"]),
    ("validate_master", ["validate", "{d}/master.xlsx", "--as-of", AS_OF]),
    ("due", ["due", "{d}/master.xlsx", "--as-of", AS_OF, "-o", "{d}/due.xlsx"]),
    (
        "due_owner_masked_en",
        [
            "due",
            "{d}/master.xlsx",
            "--as-of",
            AS_OF,
            "--owner",
            "张伟",
            "--mask-phones",
            "--lang",
            "en",
        ],
    ),
    ("schedule", ["schedule", "{d}/master.xlsx", "--as-of", AS_OF, "-o", "{d}/schedule.xlsx"]),
    (
        "schedule_owner_masked_en",
        [
            "schedule",
            "{d}/master.xlsx",
            "--as-of",
            AS_OF,
            "--owner",
            "王芳",
            "--mask-phones",
            "--lang",
            "en",
        ],
    ),
    ("weekly", ["weekly", "{d}/master.xlsx", "--as-of", AS_OF, "-o", "{d}/weekly.xlsx"]),
    ("report", ["report", "{d}/master.xlsx", "--month", "2026-10", "-o", "{d}/report.xlsx"]),
    (
        "report_masked_en",
        ["report", "{d}/master.xlsx", "--month", "2026-09", "--mask-phones", "--lang", "en"],
    ),
    (
        "scores",
        ["scores", "{d}/master.xlsx", "--year", "2026", "--as-of", AS_OF, "-o", "{d}/scores.xlsx"],
    ),
    (
        "handover_plan",
        [
            "handover",
            "{d}/master.xlsx",
            "--from",
            "杨磊",
            "--to",
            "张伟",
            "--to",
            "王芳",
            "--plan-only",
            "-o",
            "{d}/plan.xlsx",
            "--by",
            "赵刚",
            "--as-of",
            AS_OF,
        ],
    ),
    (
        "handover",
        [
            "handover",
            "{d}/master.xlsx",
            "--from",
            "杨磊",
            "--to",
            "张伟",
            "--to",
            "王芳",
            "-o",
            "{d}/after.xlsx",
            "--by",
            "赵刚",
            "--as-of",
            AS_OF,
        ],
    ),
    ("split", ["split", "{d}/after.xlsx", "-o", "{d}/split", "--as-of", AS_OF]),
    (
        "export",
        ["export", "{d}/master.xlsx", "-o", "{d}/export", "--as-of", AS_OF, "--month", "2026-10"],
    ),
    ("rollup", ["rollup", "{d}/export", "--month", "2026-10", "-o", "{d}/rollup.xlsx"]),
    ("import", ["import", "{d}/office/杨磊_客户回访.xlsx", "-o", "{d}/imported.xlsx"]),
]


def _normalise(value, folder: str):
    """The working folder as <DIR> and file hashes as <sha256>: the rest must match exactly."""
    if isinstance(value, str):
        value = value.replace(os.path.realpath(folder), "<DIR>").replace(folder, "<DIR>")
        return "<sha256>" if SHA.match(value) else value
    if isinstance(value, list):
        return [_normalise(v, folder) for v in value]
    if isinstance(value, dict):
        return {
            # a master generation's id is signed with the folder's own (random) office key
            k: "<generation-id>" if k == "id" and "generation" in value else _normalise(v, folder)
            for k, v in value.items()
        }
    return value


def run_cases(folder: str):
    """Yield (name, exit code, parsed JSON) for every case, run in-process on the example office."""
    from followup_xl.cli import main
    from followup_xl.demo import office as example_office

    example_office.write_office(example_office.generate(), os.path.join(folder, "office"))
    runner = CliRunner()
    for name, args in CASES:
        got = runner.invoke(main, [a.format(d=folder) for a in args] + ["--json"])
        yield name, got.exit_code, _normalise(json.loads(got.stdout), folder)


def expected(name: str) -> dict:
    with open(os.path.join(HERE, f"{name}.json"), encoding="utf-8") as f:
        return json.load(f)


def write_all() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, code, payload in run_cases(folder):
            with open(os.path.join(HERE, f"{name}.json"), "w", encoding="utf-8") as f:
                json.dump({"exit_code": code, "json": payload}, f, ensure_ascii=False, indent=1)
                f.write("\n")
            print(name, code, file=sys.stderr)


if __name__ == "__main__":
    write_all()
