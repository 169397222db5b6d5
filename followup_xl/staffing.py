"""人员 filled from the data: everyone the books name as 负责人 or 回访人 is on the staff list.

A new office rarely fills 人员 first; without it the 管理台's hand-over pickers are empty and a
hand-over text would give no phone. Merge adds each person the records name that 人员 lacks,
with role and phone left for the manager (the row says 待补充), and lists them.
"""

from __future__ import annotations

from .models import Book, Staff


def people_named(book: Book) -> list[str]:
    """负责人 of customers and events, 回访人 of calls: each once, in the order first met."""
    names = [c.owner for c in book.customers if not c.is_void]
    names += [e.owner for e in book.events]
    names += [k.caller for k in book.calls]
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def fill_staff(book: Book, mark: str, to_fill: str) -> list[str]:
    """Add to ``book.staff`` everyone ``people_named`` that it lacks (``mark`` column: ``to_fill``);
    the names added, in order."""
    known = {s.name.strip() for s in book.staff if s.name}
    added = [n for n in people_named(book) if n not in known]
    book.staff = list(book.staff) + [
        Staff.build(None, {}, {mark: to_fill}, {"name": n}) for n in added
    ]
    return added
