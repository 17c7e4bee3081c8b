"""Publish a built site: a complete new site replaces the old one, or nothing changes.

The site is built into a temporary folder next to `out` (same file system, so renames are atomic).
On Linux the two folders are exchanged with one `renameat2(RENAME_EXCHANGE)` call, so `out` is never
missing; elsewhere the old folder is renamed aside and the new one renamed in (a moment without
`out`, never a half-written one). The old site is deleted only after the new one is in place.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
import uuid
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_folder(out: Path) -> Path:
    """A new empty folder beside `out`, for building into."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False if the system cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def swap_into(new: Path, out: Path) -> None:
    """Make `new` the folder at `out`; the previous `out` (if any) is removed afterwards."""
    if not out.exists():
        new.rename(out)
        return
    if _exchange(new, out):
        shutil.rmtree(new)  # `new` now holds the old site
        return
    aside = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    out.rename(aside)
    try:
        new.rename(out)
    except OSError:
        aside.rename(out)
        raise
    shutil.rmtree(aside)


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
