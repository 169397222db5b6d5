"""The office's secret key: what makes the tool's stamps trustworthy (followup_xl/lineage.py).

It lives in the manager's folder — the folder of the master — as
``.followup-xl/office.key`` (32 random bytes, hex), created the first time a master is
written there, and is never written into a workbook. ``FOLLOWUP_XL_KEY_FILE`` names
another file (one key for several folders). Losing it costs nothing but trust in old
books: their stamps no longer verify, so they count as unstamped books.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_DIR = ".followup-xl"
KEY_NAME = "office.key"
ENV = "FOLLOWUP_XL_KEY_FILE"


def key_path(folder: str | os.PathLike) -> Path:
    named = os.environ.get(ENV)
    if named:
        return Path(named)
    return Path(folder) / KEY_DIR / KEY_NAME


def _read(path: Path) -> bytes | None:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return key if len(key) >= 16 else None


def load_key(folder: str | os.PathLike) -> bytes | None:
    """The key of the folder a master is in, or None (no key there yet: nothing verifies)."""
    return _read(key_path(folder))


def master_folder(path: str | os.PathLike) -> str:
    return os.path.dirname(os.path.abspath(os.fspath(path)))


def key_for(master: str | os.PathLike) -> bytes | None:
    """The key of the folder ``master`` is in."""
    return load_key(master_folder(master))


def ensure_key(folder: str | os.PathLike, like: bytes | None = None) -> bytes:
    """The folder's key, made now if it has none: ``like`` (the base master's, so a master written
    into a new folder keeps trusting the books split from the old one), else 32 random bytes.
    Created exclusively and readable by its owner only."""
    path = key_path(folder)
    have = _read(path)
    if have is not None:
        return have
    key = like or secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made meanwhile by another run, or unreadable: use what is there
        return _read(path) or key
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


SPLITS_NAME = "splits.json"


def _splits_path(folder: str | os.PathLike) -> Path:
    return Path(folder) / KEY_DIR / SPLITS_NAME


def read_splits(folder: str | os.PathLike) -> dict[str, int]:
    """owner → the newest master generation a book was split from for them (the manager's folder
    remembers what split sent, so an older book handed in later is known as older)."""
    import json

    try:
        data = json.loads(_splits_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): int(v) for k, v in data.items() if isinstance(v, int)}


def record_splits(folder: str | os.PathLike, owners: list[str], generation: int) -> None:
    """Remember that books based on ``generation`` were sent to ``owners`` (written atomically)."""
    import json

    known = read_splits(folder)
    for who in owners:
        known[who] = max(known.get(who, 0), generation)
    import tempfile

    path = _splits_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{SPLITS_NAME}.", suffix=".partial", dir=path.parent)
    try:  # created exclusively: a link planted there is never followed
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(known, ensure_ascii=False, sort_keys=True))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
