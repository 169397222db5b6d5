"""Results worth keeping between runs, kept the way Python keeps bytecode.

Every start of a command and every click of the 校验 button pays for what it parses or asks a
library again: the message catalog (tens of milliseconds of TOML) and the China calendar (the
holidays library's country tables, about 90 ms to import). Each is kept in the folder's
``__pycache__`` as ``<name>.<python tag>.<key>.marshal``, where the key says what it was made
from (a file's modification time and size), read back while the key matches and made again
when it does not. Nothing is written where Python is told not to write bytecode
(``PYTHONDONTWRITEBYTECODE``), and a folder that cannot be written (a read-only install) or a
damaged copy only costs the time it would have saved.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path
from typing import Any


def stamp(path: Path) -> str:
    """What a kept copy is keyed by: the file's modification time and size."""
    st = path.stat()
    return f"{st.st_mtime_ns}.{st.st_size}"


def _path(folder: Path, name: str, key: str) -> Path:
    tag = sys.implementation.cache_tag or "py"
    return folder / "__pycache__" / f"{name}.{tag}.{key}.marshal"


def read(folder: Path, name: str, key: str) -> Any:
    """The copy kept under ``key``, or None when there is none (or it is damaged)."""
    try:
        return marshal.loads(_path(folder, name, key).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def keep(folder: Path, name: str, key: str, value: Any) -> None:
    """Write ``value`` atomically (a temporary name, then renamed); older copies of ``name`` go."""
    if sys.dont_write_bytecode:
        return
    target = _path(folder, name, key)
    try:
        data = marshal.dumps(value)
        target.parent.mkdir(exist_ok=True)
        for old in target.parent.glob(f"{name}.*.marshal"):
            if old != target:
                old.unlink(missing_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except (OSError, ValueError):
        pass
