"""Where a book came from, in a form the tool can trust (issue 25: lineage).

A stamp is what the tool writes about a file it made — a master's generation, a
split book's owner and the generation it was split from — signed with the office's
secret key (HMAC-SHA256, standard library). Anyone can type a document property;
nobody without the key can make one that verifies, so a stamp that does not verify
counts as absent. Pure: the key comes in as bytes (io/master/officekey.py finds it).

A split book also carries, for every record, a short digest of each field as sent
(its *base*). The merge compares field by field: base / book / master now
(``three_way``), so a value the person did not touch can never revert anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .models import Record

STAMP_VERSION = 1
MAC_HEX = (
    32  # 128 bits of HMAC-SHA256: plenty against forgery, short enough for a document property
)
FIELD_HEX = 6  # 24 bits a field: two different values look alike once in 16 million


@dataclass(frozen=True)
class Stamp:
    """What the tool says about a file it wrote. ``kind``: master | staff."""

    kind: str
    generation: int = 0  # a master's own; a staff book's: the master it was split from
    ident: str = ""  # that generation's short id (8 hex)
    day: str = ""  # ISO date the master was merged or the book was split
    owner: str = ""  # a staff book's person
    # a staff book's: digest of its base sheet; a master's: of its check sheet (mastercheck.py),
    # so neither sheet can be edited unseen
    base_digest: str = ""
    previous: str = ""  # a master's: the id of the generation it was merged onto

    def payload(self) -> dict:
        short = {
            "v": STAMP_VERSION,
            "k": self.kind,
            "g": self.generation,
            "i": self.ident,
            "d": self.day,
            "o": self.owner,
            "b": self.base_digest,
            "p": self.previous,
        }
        return {k: v for k, v in short.items() if v not in ("", None)}

    @property
    def label(self) -> str:
        """How a generation is named to people: 第3代 2026-11-22 (a1b2c3d4) → ``3 · 2026-11-22 · a1b2c3d4``."""
        return f"{self.generation} · {self.day} · {self.ident}"


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()[:MAC_HEX]


def sign(stamp: Stamp, key: bytes) -> str:
    """The stamp as the text of a document property: its JSON, a dot, its MAC."""
    body = json.dumps(stamp.payload(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"{body}.{_mac(key, body)}"


def claimed(text: str | None) -> Stamp | None:
    """What a stamp's text says, believed or not: only ``verify`` makes it trusted (an unverified
    one may only word a warning, such as the generation a forgotten master would have had)."""
    if not text or "." not in text:
        return None
    try:
        d = json.loads(text.strip().rpartition(".")[0])
    except ValueError:
        return None
    if not isinstance(d, dict) or d.get("v") != STAMP_VERSION or d.get("k") not in KINDS:
        return None
    try:
        return Stamp(
            kind=str(d["k"]),
            generation=int(d.get("g", 0)),
            ident=str(d.get("i", "")),
            day=str(d.get("d", "")),
            owner=str(d.get("o", "")),
            base_digest=str(d.get("b", "")),
            previous=str(d.get("p", "")),
        )
    except (TypeError, ValueError):
        return None


def verify(text: str | None, key: bytes | None) -> Stamp | None:
    """The stamp in ``text`` when its MAC verifies with ``key``; None when absent, forged or
    made with another office's key (or when there is no key: nothing can be trusted then)."""
    if not text or not key or "." not in text:
        return None
    body, _, mac = text.strip().rpartition(".")
    if not hmac.compare_digest(mac.encode(), _mac(key, body).encode()):
        return None
    return claimed(text)


KINDS = ("master", "staff")


def new_ident(key: bytes, generation: int, day: dt.date, salt: str) -> str:
    """A generation's short id: 8 hex, different for two masters written the same day."""
    return hmac.new(key, f"{generation}|{day}|{salt}".encode(), hashlib.sha256).hexdigest()[:8]


# --- a record's base: one short digest per field, as split sent it ------------------------------


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v).strip()


def value_digest(v: Any) -> str:
    return hashlib.blake2b(_text(v).encode("utf-8"), digest_size=FIELD_HEX // 2).hexdigest()


def field_digests(record: Record) -> dict[str, str]:
    """field (schema key, or an office column's header) → the digest of its value as written."""
    out = {k: value_digest(record.raw(k)) for k in record.SHEET.keys}
    for h, v in record.extra.items():
        if v not in (None, ""):
            out[h] = value_digest(v)
    return out


def pack(digests: dict[str, str], keys: tuple[str, ...]) -> str:
    """One cell: the schema fields' digests in schema order, then ``header=digest`` of office columns."""
    head = "".join(digests.get(k, "") or "-" * FIELD_HEX for k in keys)
    extra = ";".join(f"{h}={d}" for h, d in sorted(digests.items()) if h not in keys)
    return f"{head}|{extra}" if extra else head


def unpack(cell: str, keys: tuple[str, ...]) -> dict[str, str]:
    head, _, extra = str(cell).partition("|")
    out = {
        k: head[n * FIELD_HEX : (n + 1) * FIELD_HEX]
        for n, k in enumerate(keys)
        if len(head) >= (n + 1) * FIELD_HEX
    }
    for part in extra.split(";") if extra else ():
        h, _, d = part.rpartition("=")
        if h:
            out[h] = d
    return out


def sheet_text(rows) -> str:
    """A base sheet's rows (sheet key, record id, packed digests) as one text: cells end in \x1f
    and \x1f, rows in \x1e — what the stamp's digest is made of (and how a book read keeps it)."""
    return "".join(f"{a}\x1f{b}\x1f{c}\x1e" for a, b, c in rows)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def sheet_digest(rows: list[tuple[str, str, str]]) -> str:
    """The digest of a base sheet's rows, signed in the stamp."""
    return text_digest(sheet_text(rows))


def base_from_text(text: str, sheets) -> Base:
    """The Base of a book's rows as sent, from ``sheet_text``'s form."""
    rows = (row.split("\x1f") for row in text.split("\x1e") if row)
    return Base(((r[0], r[1], r[2]) for r in rows if len(r) >= 3), sheets)


@dataclass
class BookLineage:
    """What the merge may believe about one staff book (io reads it; merge uses it).

    The rows as sent are read only while the merge works on this book (``open_base`` …
    ``close_base``): fifty books of a large office would otherwise hold every row's digests at once.
    """

    owner: str = ""  # whose rights the book has ("" = nobody's: its edits are conflicts)
    stamp: Stamp | None = None  # verified
    base: Base | None = None  # (sheet key, id) → {field: digest}: the rows as split sent them
    forged: bool = False  # carried a stamp that does not verify
    unverifiable: bool = False  # carried a stamp, but no office key was at hand to check it
    loader: Callable[[], Base | None] | None = None  # reads ``base`` (None: none, or edited)

    def open_base(self) -> None:
        if self.base is None and self.loader is not None:
            self.base = self.loader()

    def close_base(self) -> None:
        if self.loader is not None:
            self.base = None


def changed(base: dict[str, str] | None, name: str, value: Any) -> bool | None:
    """Is ``value`` different from what split sent for field ``name``? None: no base to tell."""
    if base is None:
        return None
    d = base.get(name)
    if d is None:
        return value not in (None, "")  # an office column split did not send: any value is new
    return d != value_digest(value)


def base_rows(book) -> list[tuple[str, str, str]]:
    """(sheet key, record id, packed field digests) for every record with an id, as split sends it."""
    from .models import own_id

    rows = []
    for key in ("customers", "calls", "events"):
        for record in book.records(key):
            rid = own_id(record)
            if rid:
                rows.append((key, rid.strip(), pack(field_digests(record), record.SHEET.keys)))
    return rows


class Base:
    """The base sheet's rows, per sheet: record id → packed field digests, each row unpacked when
    first asked for (a week changes a few rows of a book that holds thousands)."""

    def __init__(self, rows, sheets) -> None:
        self._packed: dict[str, dict[str, str]] = {key: {} for key in sheets}
        self._sheets = sheets
        packed = self._packed
        for key, rid, cell in rows:
            if key in packed:
                packed[key][rid] = cell

    def get(self, key: tuple[str, str]) -> dict[str, str] | None:
        packed = self._packed.get(key[0], {}).get(key[1])
        return None if packed is None else unpack(packed, self._sheets[key[0]])

    def ids(self, sheet_key: str) -> Iterable[str]:
        """The ids of the records of one sheet that were sent."""
        return self._packed.get(sheet_key, {}).keys()

    def __contains__(self, key) -> bool:
        return key[1] in self._packed.get(key[0], {})
