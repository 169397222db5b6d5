"""A closed pipe ends the output, not the command: `followup-xl merge … --json | head -1`.

When the reader of stdout or stderr goes away (``head``, ``more``, a closed terminal
pipe), the next write raises BrokenPipeError; without help the command stops there
with exit 70 and a traceback, and the interpreter's own flush at exit raises again.
Here the real streams are swapped, for the command's run, for streams over the same
file descriptors that, at the first closed-pipe error, point the descriptor at
os.devnull (os.dup2) and go on: the command finishes its work (a master is still
written) and exits with the code it would have had. Terminals are left alone.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterator


def _closed_pipe(exc: OSError) -> bool:
    # Windows reports a pipe closed by `more` as EINVAL on write
    return isinstance(exc, BrokenPipeError) or exc.errno in (errno.EPIPE, errno.EINVAL)


class _QuietPipe(io.RawIOBase):
    """Writes to ``fd``; after the reader is gone, writes to os.devnull instead."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self.gone = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False

    def write(self, data) -> int:
        if not self.gone:
            try:
                return os.write(self._fd, data)
            except OSError as exc:
                if not _closed_pipe(exc):
                    raise
                self.gone = True
                devnull = os.open(os.devnull, os.O_WRONLY)
                try:
                    os.dup2(devnull, self._fd)
                finally:
                    os.close(devnull)
        return len(memoryview(data))

    def close(self) -> None:  # the descriptor is the process's own stdout/stderr: never closed here
        self.flush()
        super().close()


def _swap(name: str, fd: int):
    """A quiet stream for ``sys.<name>`` when it is the process's own, over a pipe or file."""
    stream = getattr(sys, name)
    if stream is None or stream is not getattr(sys, f"__{name}__"):
        return None  # captured (tests, an embedding program): not ours to replace
    try:
        if stream.fileno() != fd or os.isatty(fd):
            return None
        stream.flush()
    except (OSError, ValueError, AttributeError):
        return None
    quiet = io.TextIOWrapper(
        io.BufferedWriter(_QuietPipe(fd)),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
    )
    setattr(sys, name, quiet)
    return stream, quiet


@contextlib.contextmanager
def quiet_closed_pipes() -> Iterator[None]:
    """Inside the block, a closed stdout or stderr pipe silences the output and nothing else."""
    swapped = {name: _swap(name, fd) for name, fd in (("stdout", 1), ("stderr", 2))}
    try:
        yield
    finally:
        for name, pair in swapped.items():
            if pair is None:
                continue
            original, quiet = pair
            with contextlib.suppress(OSError, ValueError):
                quiet.flush()
            setattr(sys, name, original)
            quiet.detach()  # the descriptor stays open for the interpreter's own stream
