"""A cell value (a person's name) as a file name every system accepts and the merge reads back.

Pure: it knows nothing of Excel. Used by every writer that names a file after a person
(``split``, ``init --owner``). A name from a cell may hold anything: characters Windows
forbids (``<>:"/\\|?*``), control characters, invisible ones (zero-width spaces, the
right-to-left override that makes ``张伟\u202excod.xlsx`` look like another name), a device
name Windows reserves (CON, NUL, COM1 — with any extension), 300 characters, or the marks
of the files a merge skips: ``~$`` (Excel's lock files), a leading dot (hidden files),
``.partial`` (an output being written), ``.tmp``/``.bak``. Each is made harmless here, so
the book is written, and read by the next merge, whatever the 负责人 cell says.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 60  # of the person's name kept in a file name (well below every system's 255)
MAX_BYTES = 150  # …and of its UTF-8 bytes (Linux counts 255 bytes; a CJK character is 3)

# Windows forbids these in a name; the C0/C1 controls too.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
# Invisible characters that change how a name looks: zero-width, bidi controls, BOM
# (U+200B–200F, U+202A–202E, U+2066–2069, U+FEFF and every other "format" character) go;
# a control character (an ESC) becomes "_" with the forbidden ones.
_INVISIBLE_CATEGORIES = {"Cf", "Cs", "Co", "Cn"}
# What a merge (io/read/batch.py) takes for a file that is not a book: a marker inside a name
_TEMP_MARK = re.compile(r"\.(?=partial)|\.(?=(?:tmp|bak)$)", re.IGNORECASE)
# Device names Windows reserves, whatever follows a dot (CON.txt is CON too)
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"} | {
    f"{dev}{n}"
    for dev in ("COM", "LPT")
    for n in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³")
}


def _visible(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat in _INVISIBLE_CATEGORIES:
        return ""
    if cat in ("Zs", "Zl", "Zp"):
        return " "  # an ideographic or no-break space is a space in a file name
    return ch


def _cut(text: str, chars: int, nbytes: int) -> str:
    """At most ``chars`` characters and ``nbytes`` UTF-8 bytes (so at most as many UTF-16 units,
    what Windows counts)."""
    text = text[:chars]
    while len(text.encode("utf-8")) > nbytes:
        text = text[:-1]
    while text and unicodedata.combining(text[-1]):  # never a mark without its letter
        text = text[:-1]
    return text


def safe_stem(value: object, max_chars: int = MAX_CHARS, max_bytes: int = MAX_BYTES) -> str:
    """The start of a file name made from ``value``: the same text where it is already safe.

    Never empty (``_``); no forbidden or control character (each becomes ``_``); no invisible
    or bidi character (dropped); no leading ``~``/``$``/dot/space and no trailing dot/space; no
    ``.partial``/``.tmp``/``.bak``; not a Windows device name; at most ``max_chars`` characters
    and ``max_bytes`` UTF-8 bytes."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = "".join(_visible(ch) for ch in text)
    text = _FORBIDDEN.sub("_", text)
    text = re.sub(r" {2,}", " ", text)
    text = _TEMP_MARK.sub("_", text)
    text = text.lstrip(" .~$").rstrip(" .")
    text = _cut(text, max_chars, max_bytes).rstrip(" .")
    if text.split(".")[0].rstrip(" ").upper() in _RESERVED:
        text = "_" + text
    return text or "_"


def safe_file_name(value: object, tail: str = "") -> str:
    """``value`` made safe (``safe_stem``) followed by ``tail`` (``_客户回访.xlsx``)."""
    return safe_stem(value) + tail


def distinct_names(values, tail: str = "") -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """value → a safe file name none of the others has, even where a system sees two names as
    one (case on Windows and macOS, composed and decomposed accents on macOS): the second of two
    gets ``_2`` (then ``_3``…) after its name. Also (value, its name, the value it clashed with)
    for each one so renamed."""
    names: dict[str, str] = {}
    holder: dict[str, str] = {}  # comparison key → the value whose file has that name
    clashes: list[tuple[str, str, str]] = []
    for value in values:
        name = first = safe_file_name(value, tail)
        i = 2
        while _key(name) in holder:
            suffix = f"_{i}"
            stem = safe_stem(value, MAX_CHARS - len(suffix), MAX_BYTES - len(suffix))
            name, i = stem + suffix + tail, i + 1
        if name != first:
            clashes.append((value, name, holder[_key(first)]))
        holder[_key(name)] = value
        names[value] = name
    return names, clashes


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()
