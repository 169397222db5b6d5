"""Output that survives a Chinese Windows console (GBK/cp936) or a redirect to a file.

Python writes to a redirected stdout in the locale's encoding (cp936 on Chinese
Windows) and fails on the first character that encoding lacks (✓, ›, a rounded
table corner), after the work is done. Such characters become a close GBK
equivalent, or "?", instead of exit 70.
"""

from __future__ import annotations

import codecs
import sys

ERRORS = "followup-xl-console"

# characters the tool prints that GBK lacks → what a GBK console can show
SUBSTITUTES = {
    "✓": "√",
    "✔": "√",
    "✗": "×",
    "✘": "×",
    "›": ">",
    "‹": "<",
    "・": "·",
    "•": "·",
    "╭": "┌",
    "╮": "┐",
    "╰": "└",
    "╯": "┘",
    "━": "─",
    "┃": "│",
    "\u00a0": " ",
}


def _substitute(err: UnicodeError):
    if not isinstance(err, UnicodeEncodeError):
        raise err
    out = []
    for ch in err.object[err.start : err.end]:
        sub = SUBSTITUTES.get(ch, "?")
        try:
            sub.encode(err.encoding)
        except (UnicodeError, LookupError):
            sub = "?"
        out.append(sub)
    return "".join(out), err.end


codecs.register_error(ERRORS, _substitute)


def is_unicode(stream) -> bool:
    enc = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return enc.startswith("utf")


def make_safe() -> None:
    """Let stdout/stderr in a non-UTF encoding substitute what they cannot show."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is None or is_unicode(stream) or not hasattr(stream, "reconfigure"):
            continue
        try:
            stream.reconfigure(errors=ERRORS)
        except (ValueError, OSError, AttributeError):
            pass


def can_encode(text: str, stream=None) -> bool:
    """True if ``text`` goes to ``stream`` (stdout) unchanged."""
    stream = stream or sys.stdout
    if is_unicode(stream):
        return True
    try:
        text.encode(getattr(stream, "encoding", None) or "ascii")
        return True
    except (UnicodeError, LookupError):
        return False
