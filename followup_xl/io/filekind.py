"""What a workbook the tool wrote *is*: a custom document property, read back cheaply.

Every output says what it is (master, due list, schedule…), so a command handed
one of the tool's own outputs where it wants a staff book or a master can say so
in one sentence instead of reading nonsense from it, and merge can tell a master
the tool wrote (whose provenance columns it may believe) from a staff book.
A book without the property is a staff book or something the office made.
"""

from __future__ import annotations

import re

from ..errors import OwnFileGiven
from ..messages import Message, localize, message
from .package import custom_xml, package_path

PROPERTY = "followup-xl-kind"

# kind -> its name, for the sentences that name what a file is
KINDS: dict[str, Message] = {
    "template": message("filekind.blank_template"),
    "staff": message("filekind.staff_workbook"),
    "master": message("filekind.master_workbook"),
    "history": message("filekind.master_history_archive"),
    "due": message("filekind.due_list"),
    "schedule": message("filekind.schedule"),
    "weekly": message("filekind.weekly_summary"),
    "report": message("filekind.monthly_report"),
    "rollup": message("filekind.region_roll_up"),
    "scores": message("filekind.scores_workbook"),
    "handover-plan": message("filekind.hand_over_plan"),
    "handover-sms": message("filekind.hand_over_sms_list"),
    "annotated": message("filekind.annotated_copy"),
    "example": message("filekind.example_staff_workbook"),
    "manager": message("filekind.manager_workbook"),
    "import-preview": message("filekind.import_preview"),
}

_PROP_RE = re.compile(
    r'<property[^>]*name="' + re.escape(PROPERTY) + r'"[^>]*>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>',
    re.S,
)


def mark(wb, kind: str) -> None:
    """Stamp an XlsxWriter workbook with its kind (before close)."""
    if kind not in KINDS:
        raise ValueError(f"unknown workbook kind {kind!r}")
    wb.set_custom_property(PROPERTY, kind)


def read_kind(source) -> str | None:
    """The kind the tool stamped on a path (or an open ``Package``), or None (a staff book, or not ours).

    Reads only docProps/custom.xml, so it costs a few milliseconds even on a
    50 MB workbook; anything unreadable is simply "not marked".
    """
    text = custom_xml(source)
    if text is None:
        return None
    m = _PROP_RE.search(text)
    kind = m.group(1).strip() if m else None
    return kind if kind in KINDS else None


def _property_re(name: str) -> re.Pattern:
    return re.compile(
        r'<property[^>]*name="' + re.escape(name) + r'"[^>]*>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>',
        re.S,
    )


def _read_property(source, pattern: re.Pattern) -> str | None:
    """A text property of docProps/custom.xml (a path or an open ``Package``), unescaped, or None."""
    text = custom_xml(source)
    m = pattern.search(text) if text is not None else None
    if not m:
        return None
    import html

    return html.unescape(m.group(1)).strip() or None


OWNER_PROPERTY = "followup-xl-owner"


def mark_owner(wb, owner: str) -> None:
    """Name the person a staff book was made for (unsigned: it grants nothing; the signed stamp does)."""
    wb.set_custom_property(OWNER_PROPERTY, owner)


STAMP_PROPERTY = "followup-xl-stamp"
_STAMP_RE = _property_re(STAMP_PROPERTY)


def mark_stamp(wb, signed: str) -> None:
    """Put a signed stamp (lineage.sign) on an XlsxWriter workbook (before close)."""
    wb.set_custom_property(STAMP_PROPERTY, signed)


def read_stamp(source) -> str | None:
    """The signed stamp text of a path or an open ``Package`` as written, unverified (lineage.verify)."""
    return _read_property(source, _STAMP_RE)


def named(kind: str | None) -> Message | str:
    """What a file of ``kind`` is called (a kind this version does not know: its code)."""
    return KINDS["staff"] if kind is None else KINDS.get(kind, kind)


def describe(kind: str | None, lang: str = "zh") -> str:
    return localize(named(kind), lang)


# outputs that are reports about books, never books: reading one as a book gives confident nonsense
NOT_A_BOOK = frozenset(
    {"due", "schedule", "weekly", "report", "scores", "handover-plan", "handover-sms", "manager"}
)

_WANTS = {
    "book": message("filekind.want_book"),
    "master": message("filekind.want_master"),
}


def refuse_output(source, wants: str = "book") -> None:
    """Raise (exit 2) when ``path`` is one of the tool's own reports where a book is wanted.

    One sentence naming what the file is and what the command wants instead.
    """

    kind = read_kind(source)
    if kind not in NOT_A_BOOK:
        return
    raise OwnFileGiven(
        "read.own_report",
        got=KINDS[kind],
        want=_WANTS[wants],
        path=package_path(source),
    )
