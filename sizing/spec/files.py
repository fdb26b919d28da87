"""Reading a stack or config file: a regular file, and no more of it than such a file can be.

A path to a character device (``/dev/zero``), a named pipe or a socket is refused before it
is opened: opening a FIFO waits for a writer forever, and a device can be read until memory
runs out.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest file read: a 1,000-cluster fleet of 100 keyspaces each is about 20 MB."""

_KINDS = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device", stat.S_IFIFO: "a named pipe (FIFO)",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a directory"}


class UnreadableFile(Exception):
    """Why a path was not read, in words for a one-line message (no file name: callers add it)."""


def read_file(path: str | Path, what: str) -> bytes:
    """The bytes of the regular file at ``path``; ``what`` names the kind of file in messages
    ("a stack file"). Raises :class:`UnreadableFile`."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise UnreadableFile(f"{kind}, not {what}")
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise UnreadableFile(f"larger than {MAX_FILE_BYTES // 2**20} MiB: not {what}")
    return raw
