"""Outputs appear whole or not at all, and never on top of an input."""

from __future__ import annotations

import contextlib
import os
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


@contextlib.contextmanager
def atomic_output(
    target: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` only on success."""
    target = check_output(target, inputs)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.partial{target.suffix}")
    denied = OutputRefused("output.cannot_write", path=str(target.parent))
    try:
        tmp.touch()  # os.access says yes to root even on a read-only or immutable folder: try it
    except OSError:
        raise denied from None
    try:
        yield tmp
        os.replace(tmp, target)
    except PermissionError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise denied from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
