"""`split` on an opened office: one staff workbook per person, each stamped with the master's
generation so the next merge knows what was sent (lineage.py)."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from ..errors import BadOption, OutputExists, UnknownOwner
from ..messages import Message, message
from ..results import Split, SplitBook

if TYPE_CHECKING:
    from .office import Office


def split_office(
    office: Office,
    out_dir: str,
    *,
    owner: str | None,
    as_of: dt.date,
    staff_variant: bool,
    password: str | None,
    protect: bool,
    macro: bool,
    overwrite: bool,
    lang: str,
) -> Split:
    """``Office.split``: every book's name and the folder checked before any book is written."""
    from ..filenames import safe_stem
    from ..io.atomic import check_output
    from ..io.write.split import write_split_book
    from ..lineage import base_rows
    from ..privacy import hides_class_a, mask_deep, staff_view
    from ..split import UNASSIGNED, file_names, open_by_owner, owner_of_customers, split_book

    check_password(password)
    master, book, policy = office.path, office.book, office.policy
    parts = split_book(book, lang)
    names, renamed = file_names(parts, lang, macro)  # over everyone, so --owner gets the same name
    if owner is not None:
        if owner.strip() not in parts:
            raise UnknownOwner("owner.no_customers", owner=owner, owners=parts)
        parts = {owner.strip(): parts[owner.strip()]}
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir, exist_ok=True)
    unassigned = UNASSIGNED[lang]
    items = open_by_owner(
        office._obligations(as_of=as_of).open(),
        owner_of_customers(book, unassigned),
        unassigned,
    )
    roles = {(s.name or "").strip(): s.role for s in book.staff}
    stamp_for = _SplitStamps(master, as_of)
    there = [names[who] for who in parts if os.path.exists(os.path.join(out_dir, names[who]))]
    if there and not overwrite:
        raise OutputExists("output.books_exist", names=there, path=out_dir)
    for who in parts:  # every book's name up front: none is refused after others are written
        check_output(os.path.join(out_dir, names[who]), [master])
    written = []
    for who, part in parts.items():
        masked = staff_variant and hides_class_a(policy, roles.get(who))
        path = os.path.join(out_dir, names[who])
        mine = items.get(who, [])
        sent = staff_view(part) if masked else part
        rows = base_rows(sent)
        write_split_book(
            path,
            sent,
            who,
            mask_deep(mine) if masked else mine,
            as_of,
            lang,
            protect=protect,
            password=password,
            macro=macro,
            inputs=[master],
            stamp=stamp_for(who, rows),
            base_rows=rows,
        )
        written.append(
            SplitBook(
                owner=who,
                path=path,
                customers=len(part.customers),
                calls=len(part.calls),
                events=len(part.events),
                open_items=len(items.get(who, [])),
                class_a_masked=masked,
                password=bool(password),
            )
        )
    stamp_for.remember()
    notes: list[Message] = [
        message("split.renamed_book", who=who, name=name, other=other)
        for who, name, other in renamed
        if who in parts
    ]
    clashed = {who for who, _name, _other in renamed}
    notes += [  # a name a file cannot carry as it is: the name chosen is said
        message("split.safe_name", who=who, name=names[who])
        for who in parts
        if who not in clashed and safe_stem(who) != who
    ]
    return Split(master, as_of, out_dir, written, notes)


def check_password(password: str | None) -> None:
    """An empty opening password is refused before anything is read (exit 3)."""
    if password is not None and not password:
        raise BadOption("option.empty_password")


class _SplitStamps:
    """Signs each split book's stamp — owner and the master's generation, with the key of the
    master's folder (made there now if it has none) — and remembers in that folder what was sent,
    so the next merge knows an older book handed in later (lineage.held_stale)."""

    def __init__(self, master: str, as_of) -> None:
        from ..io.filekind import read_stamp
        from ..io.master.officekey import ensure_key, master_folder
        from ..lineage import verify as verify_stamp

        self.folder = master_folder(master)
        self.key = ensure_key(self.folder)
        self.day = as_of.isoformat()
        of_master = verify_stamp(read_stamp(master), self.key)
        is_master = of_master is not None and of_master.kind == "master"
        self.generation = of_master.generation if of_master and is_master else 0
        self.ident = of_master.ident if of_master and is_master else ""
        self.sent: list[str] = []

    def __call__(self, who: str, rows) -> str:
        from ..lineage import Stamp, sheet_digest, sign

        self.sent.append(who)
        stamp = Stamp(
            "staff",
            generation=self.generation,
            ident=self.ident,
            day=self.day,
            owner=who,
            base_digest=sheet_digest(rows),
        )
        return sign(stamp, self.key)

    def remember(self) -> None:
        from ..io.master.officekey import record_splits

        if self.generation and self.sent:
            record_splits(self.folder, self.sent, self.generation)
