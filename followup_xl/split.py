"""The master split back into per-person books (REQUIREMENTS B3: staff see only their own).

Pure: every customer goes to its owner's book, every call and event to the book
of the customer it is about, so each record lands in exactly one book and
merging the books back gives the master again. Records nobody owns (no owner,
or a call for a customer id the master does not have) go to a 未分配 book
rather than disappear. The staff list, rules (规则, 回访规则) and holidays go to every book.
"""

from __future__ import annotations

from collections import defaultdict

from .filenames import distinct_names, safe_file_name
from .messages import by_lang, render
from .models import Book
from .obligations import Obligation

UNASSIGNED = by_lang("split.unassigned")


def owner_of_customers(master: Book, unassigned: str) -> dict[str, str]:
    """customer id → the owner whose book gets its calls and events (the first row wins
    for an id repeated under two owners — a conflict the merge reports)."""
    out: dict[str, str] = {}
    for customer in master.customers:
        if customer.customer_id and customer.customer_id not in out:
            out[customer.customer_id] = (customer.owner or "").strip() or unassigned
    return out


def split_book(master: Book, lang: str = "zh") -> dict[str, Book]:
    """owner → their Book, in the order owners first appear in the customer book."""
    unassigned = UNASSIGNED[lang]
    owners = owner_of_customers(master, unassigned)
    parts: dict[str, dict[str, list]] = defaultdict(
        lambda: {"customers": [], "calls": [], "events": []}
    )
    for customer in master.customers:
        parts[(customer.owner or "").strip() or unassigned]["customers"].append(customer)
    for call in master.calls:
        parts[owners.get(call.customer_id or "", unassigned)]["calls"].append(call)
    for event in master.events:
        parts[owners.get(event.customer_id or "", unassigned)]["events"].append(event)
    return {
        who: Book(
            path=who,
            customers=p["customers"],
            calls=p["calls"],
            events=p["events"],
            staff=list(master.staff),
            rules=list(master.rules),
            holidays=list(master.holidays),
            follow_up_rules=list(master.follow_up_rules),
            epoch_1904=master.epoch_1904,
        )
        for who, p in parts.items()
    }


def open_by_owner(
    open_items: list[Obligation], owners: dict[str, str], unassigned: str
) -> dict[str, list[Obligation]]:
    """Open obligations per book: a customer's go to the book holding the customer (where the
    call will be logged), a person's own (P12, no customer) to that person."""
    out: dict[str, list[Obligation]] = defaultdict(list)
    for obligation in open_items:
        who = (
            owners.get(obligation.customer_id)
            if obligation.customer_id
            else (obligation.owner or unassigned)
        )
        out[who or unassigned].append(obligation)
    return out


def file_name(owner: str, lang: str = "zh", macro: bool = False) -> str:
    """张伟_客户回访.xlsx — the name staff books already have, made safe (filenames.py)."""
    return safe_file_name(owner, _tail(lang, macro))


def _tail(lang: str, macro: bool) -> str:
    return f"_{render('split.file_name', lang)}.{'xlsm' if macro else 'xlsx'}"


def file_names(
    owners, lang: str = "zh", macro: bool = False
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """owner → a file name no other owner's book has, even where Windows sees two names as one
    (张伟 / 张伟. — trailing dots dropped; 王芳: / 王芳? — both cleaned to 王芳_; Tom / tom — case).
    Also (owner, renamed file, owner whose name it clashed with) for each book renamed, so it can be said."""
    return distinct_names(owners, _tail(lang, macro))
