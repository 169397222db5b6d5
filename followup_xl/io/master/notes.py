"""冲突 and 来源: what each merge decided between books, and which files it read.

Written by the merge; a hand-over carries them over as read (its master is the
merge's, with only owners changed).
"""

from __future__ import annotations

from ...messages import by_lang, labels, render
from ..xlsx import Formats, write_plain_sheet

KIND_LABELS: dict[str, dict[str, str]] = by_lang("master_book.kind_labels")
# read back: every label a master's 冲突 sheet has had (the words before issue 28 too)
KIND_LABEL: dict[str, str] = {
    f"{lang}:{label}": kind
    for table in (KIND_LABELS, by_lang("master_book.kind_labels_before"))
    for lang, labels in table.items()
    for kind, label in labels.items()
}
STATUS_LABEL: dict[str, str] = by_lang("master_book.status_labels")["zh"]
SOURCE_KEYS = (
    "path",
    "status",
    "customers",
    "calls",
    "events",
    "new_customers",
    "new_calls",
    "new_events",
    "sha256",
    "note",
)


def write_notes(wb, fmts: Formats, conflicts: list[dict], sources: list[dict], lang: str) -> None:
    """The 冲突 rows (merge.Conflict.row) and the 来源 rows (one per input, batch.Input.to_dict)."""
    write_plain_sheet(
        wb,
        fmts,
        render("master_book.conflicts", lang),
        labels("master_book.conflict_headers", lang),
        [
            [
                KIND_LABELS[lang].get(c["kind"], c["kind"]),
                c["customer_id"],
                "\n".join(c["sources"]),
                c["kept"],
                c["why"],
            ]
            for c in conflicts
        ],
        [10, 14, 60, 40, 60],
    )
    write_plain_sheet(
        wb,
        fmts,
        render("master_book.inputs", lang),
        labels("master_book.input_headers", lang),
        [
            [
                i["path"],
                STATUS_LABEL[i["status"]] if lang == "zh" else i["status"],
                i.get("customers"),
                i.get("calls"),
                i.get("events"),
                i.get("new_customers"),
                i.get("new_calls"),
                i.get("new_events"),
                i.get("sha256"),
                i.get("error") or i.get("note"),
            ]
            for i in sources
        ],
        [48, 8, 8, 10, 10, 10, 10, 10, 66, 50],
    )


def _rows(wb, names) -> list[list]:
    name = next((n for n in wb.sheet_names if n in names), None)
    data = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)[1:] if name else []
    return [
        [None if v == "" else int(v) if isinstance(v, float) and v.is_integer() else v for v in r]
        + [None] * 10
        for r in data
        if any(v not in ("", None) for v in r)
    ]


def read_notes(wb) -> tuple[list[dict], list[dict]]:
    """The 冲突 and 来源 rows of a master (its open calamine workbook), as ``write_notes`` takes them."""
    kinds = {k.partition(":")[2]: v for k, v in KIND_LABEL.items()}
    kinds.update({v: v for v in KIND_LABEL.values()})  # an en master's 冲突 sheet: the key itself
    statuses = {v: k for k, v in STATUS_LABEL.items()}
    conflicts = [
        {
            "kind": kinds.get(r[0], r[0]),
            "customer_id": r[1],
            "sources": str(r[2] or "").split("\n"),
            "kept": r[3],
            "why": r[4],
        }
        for r in _rows(wb, by_lang("master_book.conflicts").values())
    ]
    sources = [dict(zip(SOURCE_KEYS, r)) for r in _rows(wb, by_lang("master_book.inputs").values())]
    for s in sources:
        status = statuses.get(s["status"], s["status"])
        if status not in STATUS_LABEL:  # a label we do not know: keep the text, in the note
            s["note"] = "；".join(str(v) for v in (s["status"], s["note"]) if v)
            status = "ignored"
        s["status"] = status
    return conflicts, sources
