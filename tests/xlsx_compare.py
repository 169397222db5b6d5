"""Compare a workbook with its reference file part by part, the way XlsxWriter's own tests do.

Comparing bytes breaks on anything that does not matter (the creation time in
docProps/core.xml, a new XlsxWriter's version stamp, attribute order, zip
timestamps). So both files are unzipped, the lists of parts compared, and then
every XML part compared after canonicalising it; vbaProject.bin is compared by
its modules' source text. A difference is one sentence naming the part and the
first element that differs, with the elements it sits in.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

# part → patterns whose matches are blanked before comparing (times and versions)
VOLATILE: dict[str, tuple[str, ...]] = {
    "docProps/core.xml": (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",),
    "docProps/app.xml": (r"<AppVersion>[^<]*</AppVersion>",),
}
BINARY = (".bin", ".png", ".jpeg", ".jpg", ".gif", ".bmp", ".emf", ".wmf")
TOKEN = re.compile(r"<[^>]*>|[^<]+")


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def elements(name: str, data: bytes) -> list[str]:
    """A part as a list of canonical tags and texts (attributes in one order, no volatile values)."""
    text = data.decode("utf-8")
    for pattern in VOLATILE.get(name, ()):
        text = re.sub(pattern, "", text)
    try:
        text = ET.canonicalize(text)
    except ET.ParseError:
        pass  # not well-formed XML (some VML is not): compare it as it is
    tokens = [t for t in TOKEN.findall(text) if t.strip()]
    if name == "[Content_Types].xml" or name.endswith(".rels"):
        tokens.sort()  # the order of relationships and content types means nothing
    return tokens


def vba_modules(data: bytes) -> dict[str, str]:
    """Module name → source text of a vbaProject.bin (its bytes change with every compression)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser("vbaProject.bin", data=data)
    try:
        return {
            name: code.replace("\r\n", "\n").strip()
            for (_f, _s, name, code) in parser.extract_macros()
        }
    finally:
        parser.close()


def _context(tokens: list[str], upto: int) -> str:
    """The start tags still open at ``upto``, innermost last, e.g. sheetData › row r="3" › c r="B3"."""
    stack: list[str] = []
    for tok in tokens[:upto]:
        if tok.startswith("</"):
            if stack:
                stack.pop()
        elif tok.startswith("<") and not tok.endswith("/>") and not tok.startswith("<?"):
            stack.append(tok[1:-1])
    return " › ".join(stack[-3:])


def first_difference(name: str, got: list[str], want: list[str]) -> str:
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"{name}: element {i + 1} (in {_context(want, i)}) is {g[:200]!r}, reference has {w[:200]!r}"
    i = min(len(got), len(want))
    extra, where = (got[i], "has an extra") if len(got) > len(want) else (want[i], "lacks the")
    return f"{name}: the workbook {where} element {i + 1} {extra[:200]!r} (in {_context(want, i)})"


def compare(got_path: Path, reference: Path) -> str | None:
    """None when the workbook matches its reference; otherwise where they first differ."""
    got, want = parts(got_path), parts(reference)
    if sorted(got) != sorted(want):
        more, fewer = sorted(set(got) - set(want)), sorted(set(want) - set(got))
        return f"{got_path.name}: parts differ from {reference.name}: extra {more}, missing {fewer}"
    for name in sorted(want):
        if name.endswith("vbaProject.bin"):
            g, w = vba_modules(got[name]), vba_modules(want[name])
            if g != w:
                changed = sorted(k for k in set(g) | set(w) if g.get(k) != w.get(k))
                return f"{name}: VBA modules differ: {changed}"
        elif name.lower().endswith(BINARY):
            if got[name] != want[name]:
                return f"{name}: the bytes differ"
        else:
            got_elements, want_elements = elements(name, got[name]), elements(name, want[name])
            if got_elements != want_elements:
                return first_difference(name, got_elements, want_elements)
    return None
