"""`followup-xl`: a thin click layer over followup_xl.api.

Commands live in ``cmd_*.py`` modules beside this file, one command each. The group is lazy:
``COMMANDS`` names each command's module, function and one-line help, so ``followup-xl --help``
lists them without importing any, and a command's module (with the readers, writers and
libraries it needs) is imported only when that command runs. ``tests/test_import_cost.py``
holds the table to the modules (a new ``cmd_*.py`` fails there until it is listed, with the
line to add) and the help's imports to the few it needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click

from .. import __version__
from .usage import FollowupGroup

HELP = """客户回访助手 followup-xl — customer follow-up calls, run from Excel.

\b
Staff keep 客户名录簿 and 回访记录表 in their own workbook; the manager runs these
commands on staff books or on the merged master.

\b
Exit codes (all commands):
  0  success
  1  ran, but found errors (validate) or some inputs failed (merge)
  2  an input could not be read (the message names the file/sheet/cell)
  3  bad option, output path or policy value
  70 internal error (a bug; FOLLOWUP_XL_DEBUG=1 shows the traceback)
  130 interrupted (nothing written)
"""

# name → (module in this package, function, the command's short help as click makes it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": (
        "cmd_demo",
        "demo",
        "Run the whole job on the example office and write real workbooks into OUT_DIR.",
    ),
    "doctor": (
        "cmd_doctor",
        "doctor",
        "Check this PC for the 校验 button: Python, xlwings, the Python the button starts.",
    ),
    "due": (
        "cmd_due",
        "due",
        "List open follow-ups of a staff book or master: overdue, due today, upcoming, missed.",
    ),
    "export": (
        "cmd_export",
        "export",
        "Write masters' customers, calls, events, staff and obligations as Parquet.",
    ),
    "handover": ("cmd_handover", "handover", "Hand a leaving person's customers over to others."),
    "import": ("cmd_import", "import_", "Bring an existing tracker in (.xlsx/.xls/.ods/.csv)."),
    "init": ("cmd_init", "init", "Write a blank staff workbook into FOLDER."),
    "merge": ("cmd_merge", "merge", "Merge staff workbooks (files and folders) into one master."),
    "report": (
        "cmd_report",
        "report",
        "The monthly report: planned, done and successful follow-ups, satisfaction, targets.",
    ),
    "rollup": (
        "cmd_rollup",
        "rollup",
        "Compare offices for a month: the figures of `report`, per office, ranked, with a chart.",
    ),
    "rules": (
        "cmd_rules",
        "rules",
        "List the entry checks, or explain one: `followup-xl rules V7`.",
    ),
    "schedule": (
        "cmd_schedule",
        "schedule",
        "Plan a week of follow-up calls per person (the Sunday 回访排期表).",
    ),
    "scores": (
        "cmd_scores",
        "scores",
        "Staff scores: monthly points per target met, yearly score, bonus eligibility.",
    ),
    "split": ("cmd_split", "split", "Split a master into per-person workbooks."),
    "validate": (
        "cmd_validate",
        "validate",
        "Check a staff workbook or master: required fields, phones, dates, dropdowns…",
    ),
    "verify": ("cmd_verify", "verify", "Check a master for hand edits made after it was written."),
    "weekly": (
        "cmd_weekly",
        "weekly",
        "Summarise a week per person (the Monday 周报): deals, new customers, calls, visits.",
    ),
}


class LazyCommands(MutableMapping):
    """The group's ``commands``: every name in ``COMMANDS`` is there from the start, and its
    module is imported the first time the command itself is looked up (iterating names, or
    testing ``in``, imports nothing). A command added with ``add_command`` is kept as given."""

    def __init__(self, table: dict[str, tuple[str, str, str]]):
        self._table = table
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, attr, _ = self._table[name]
            self._loaded[name] = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._loaded.pop(name, None)
        self._table = {k: v for k, v in self._table.items() if k != name}

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(self._table) | set(self._loaded)))

    def __len__(self) -> int:
        return len(set(self._table) | set(self._loaded))

    def __contains__(self, name: object) -> bool:
        return name in self._table or name in self._loaded

    def short_help(self, name: str) -> str | None:
        """The listed help of a command not loaded yet (None once it is: ask the command)."""
        return None if name in self._loaded else self._table[name][2]


@click.group(
    "followup-xl",
    cls=FollowupGroup,
    help=HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="followup-xl")
def main() -> None:
    pass


main.commands = LazyCommands(COMMANDS)
