"""`followup-xl`: a thin click layer over followup_xl.api.

Commands live in ``cmd_*.py`` modules beside this file and register themselves,
so adding a command never edits a shared list.
"""

from __future__ import annotations

import importlib
import pkgutil

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


@click.group(
    "followup-xl",
    cls=FollowupGroup,
    help=HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="followup-xl")
def main() -> None:
    pass


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("cmd_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, click.Command)
                and value.callback is not None
                and value.callback.__module__ == module.__name__
            ):
                main.add_command(value)


_register()
