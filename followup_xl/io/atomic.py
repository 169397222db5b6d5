"""Outputs appear whole or not at all, and never on top of an input."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import OutputRefused


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return pa.resolve() == pb.resolve()


def check_output(target: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Refuse an output that would overwrite an input, sits in a missing or read-only
    folder, or is open in Excel (its ~$ owner file is present)."""
    target = Path(target)
    for src in inputs:
        if same_file(target, src):
            raise OutputRefused("output.is_input", path=str(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise OutputRefused("output.no_folder", path=str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputRefused("output.folder_not_writable", path=str(folder))
    if target.is_dir():
        raise OutputRefused("output.is_folder", path=str(target))
    lock = folder / f"~${target.name}"
    if lock.exists():
        raise OutputRefused("output.open_in_excel", path=str(target))
    return target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def exclusive_temp(target: Path, suffix: str = "") -> Path:
    """A new empty file beside ``target`` with a name nobody can guess, created exclusively
    (``tempfile.mkstemp``: O_CREAT|O_EXCL, so a link planted under any name is never followed),
    with the permissions a plain new file would get. Its name starts with a dot and holds
    ``.partial``: a merge of the folder ignores it."""
    fd, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".partial{suffix}", dir=target.parent or "."
    )
    try:
        if hasattr(os, "fchmod"):  # mkstemp's 0600, widened as the umask allows (not on Windows)
            os.fchmod(fd, 0o666 & ~_umask())
    finally:
        os.close(fd)
    return Path(name)


@contextlib.contextmanager
def atomic_output(
    target: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()
) -> Iterator[Path]:
    """Yield a new temporary file beside ``target``; rename it over ``target`` only on success."""
    target = check_output(target, inputs)
    denied = OutputRefused("output.cannot_write", path=str(target.parent))
    try:  # os.access says yes to root even on a read-only or immutable folder: try it
        tmp = exclusive_temp(target, target.suffix)
    except OSError:
        raise denied from None
    try:
        yield tmp
        os.replace(tmp, target)  # a rename: a link at ``target`` is replaced, not followed
    except PermissionError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise denied from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
