"""Reading one input in a child process, so that a crash in the reader is that input's error.

python-calamine aborts the whole process (no exception to catch) when an allocation
fails, so one hostile book in the inbox would stop the manager's merge. OOXML books
are measured by ``sheetscan`` before calamine sees them; the formats we cannot
measure beforehand (.xls, .xlsb, .ods) are read here. Not used for every input:
sending 11,000 records back costs about as much as reading them (measured with
benchmarks/bench_merge.py), which would slow the 550,000-row merge by half.
"""

from __future__ import annotations

import multiprocessing
import os

from ...errors import FollowupError, ReaderCrashed
from ...models import Book

HEADROOM = 4 * 1024**3  # address space a child may add to what it inherits


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = used + HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimits (Windows, macOS): the crash alone is still contained


def _child(conn, path: str, kwargs: dict) -> None:
    from .workbook import read_book

    _limit_memory()
    if not os.environ.get(
        "FOLLOWUP_XL_DEBUG"
    ):  # a Rust abort's own lines would only alarm the manager
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    try:
        conn.send(("ok", read_book(path, **kwargs)))
    except FollowupError as exc:
        conn.send(("error", exc))  # pickled with its class, message id and parameters
    except MemoryError:
        conn.send(("crash", "MemoryError"))
    finally:
        conn.close()


def read_book_isolated(path: str, **kwargs) -> Book:
    """``read_book`` in a child process; its death (a signal, an abort) becomes an UnreadableWorkbook."""
    methods = multiprocessing.get_all_start_methods()
    ctx = (
        multiprocessing.get_context("fork")
        if "fork" in methods
        else multiprocessing.get_context("spawn")
    )
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, path, kwargs), daemon=True)
    proc.start()
    send.close()
    try:
        kind, payload = receive.recv()
    except EOFError:
        kind, payload = "crash", None
    finally:
        receive.close()
        proc.join()
    if kind == "ok":
        return payload
    if kind == "error":
        raise payload
    code = proc.exitcode
    how = payload or (f"signal {-code}" if code is not None and code < 0 else f"exit code {code}")
    raise ReaderCrashed("read.crashed", how=how, path=path)
