"""The Python API behind every CLI command: call these from your own code.

Each function takes paths or plain data and returns plain data (JSON-able dicts
or domain objects); the CLI only parses options and prints.
"""

from __future__ import annotations

import os

from .io.reader import read_book  # noqa: F401  (re-exported)
from .io.template import template_name, write_staff_workbook
from .settings import Policy, policy_for_book  # noqa: F401


def init_workbook(folder: str, lang: str = "zh", owner: str | None = None, macro: bool = False) -> list[str]:
    """A blank staff workbook (and the .xlsm with the button when ``macro``)."""
    paths = [write_staff_workbook(os.path.join(folder, template_name(lang)), lang, owner=owner)]
    if macro:
        paths.append(write_staff_workbook(os.path.join(folder, template_name(lang, macro=True)), lang,
                                          owner=owner, macro=True))
    return paths
