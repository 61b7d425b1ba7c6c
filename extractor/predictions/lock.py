"""An exclusive, non-blocking lock on an output file, held for a whole run.

The lock is ``fcntl.flock`` on ``<output>.lock`` beside the output, which also names its holder
(pid and host), so a second run on the same output stops at once and says who has it. The
kernel drops the lock when its process dies, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

from extractor.errors import OutputError


class OutputLock:
    """Hold ``<target>.lock`` exclusively until :meth:`release`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = target.with_name(target.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or fail at once.

        Raises:
            OutputError: another process holds it (the message names it), or the lock file
                cannot be created.
        """
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError.about(self.target, exc) or OutputError(
                    f"cannot create the lock file {str(self.path)!r}: {exc.strerror}",
                    hint="write the output to a folder you can write to",
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                os.close(fd)
                raise OutputError(
                    f"{str(self.target)!r} is being written by another extractor run "
                    f"({holder or 'a process starting up'}; lock file {str(self.path)!r})",
                    hint="wait for that run to finish, or write to another file",
                ) from None
            # the previous holder unlinks the file when it releases: if it did so between our
            # open and our flock, we hold a lock nobody else can see; open the new file instead
            try:
                current = os.stat(self.path).st_ino
            except FileNotFoundError:
                current = None
            if current == os.fstat(fd).st_ino:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Drop the lock and remove the lock file (unlinked first, while still held)."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None
