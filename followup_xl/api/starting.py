"""`init`: the blank staff workbook and the 回访管理台, where an office starts."""

from __future__ import annotations

import os

from ..errors import OutputExists
from ..io.read.workbook import read_book
from ..io.write.template import template_name, write_staff_workbook


def init_workbook(
    folder: str,
    *,
    owner: str | None = None,
    macro: bool = False,
    force: bool = False,
    lang: str = "zh",
) -> list[str]:
    """A blank staff workbook (and the .xlsm with the button when ``macro``), named after ``owner``.

    An existing file of that name may hold a person's work: it is refused unless ``force``.
    """
    from ..split import file_name

    def name(m):
        return (
            file_name(owner.strip(), lang, m)
            if owner and owner.strip()
            else template_name(lang, macro=m)
        )

    targets = [os.path.join(folder, name(False))] + (
        [os.path.join(folder, name(True))] if macro else []
    )
    for path in targets:
        if os.path.exists(path) and not force:
            raise OutputExists("output.workbook_exists", path=path)
    return [
        write_staff_workbook(path, lang, owner=owner, macro=path.endswith(".xlsm"))
        for path in targets
    ]


def init_manager(
    folder: str, *, master: str | None = None, force: bool = False, lang: str = "zh"
) -> list[str]:
    """The 回访管理台 workbook with its buttons, and the inbox and output folders it names.

    An existing 管理台 holds the manager's settings and run log: refused unless ``force``."""
    from ..io.write.manager import SETTINGS, manager_name, write_manager_workbook

    path = os.path.join(folder, manager_name(lang))
    if os.path.exists(path) and not force:
        raise OutputExists("output.workbook_exists", path=path)
    if master:  # 人员, and every 负责人/回访人 the records name (a new office's 人员 may be empty)
        from ..staffing import people_named

        book = read_book(master)
        staff = list(dict.fromkeys([s.name for s in book.staff if s.name] + people_named(book)))
    else:
        staff = []
    for s in SETTINGS:
        if s.key in ("inbox", "output"):
            os.makedirs(
                os.path.join(folder, s.default_en if lang == "en" else s.default_zh), exist_ok=True
            )
    return [write_manager_workbook(path, lang, staff=staff)]
