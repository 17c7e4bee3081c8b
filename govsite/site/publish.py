"""Publish a built site: the new site replaces the old one, or nothing changes.

The site is built into a temporary folder next to `out` (same file system, so renames are atomic).

The first time (or when govsite does not know what `out` holds), the two folders are exchanged
with one `renameat2(RENAME_EXCHANGE)` call on Linux, so `out` is never missing; elsewhere the old
folder is renamed aside and the new one renamed in (a moment without `out`, never a half-written
one). The old site is deleted only after the new one is in place.

After that, a rebuild does not write out and delete again every project page that did not change
(at 10,000 projects that was 20,000 files and a third of a rebuild). govsite remembers, in the
cache, what it published: for each project page the key it was rendered from and the file's inode,
size and change times, as git's index remembers a checked-out file. A page whose key and file are as
remembered stays where it is; everything else is built in the temporary folder and moved into `out`
one file at a time with `rename`, which replaces a file atomically — as `rsync --delay-updates` does:
the pages that are new first (nothing links to them yet), then the pages that replace others, and
last the files the new site no longer has are deleted. Every address that both sites have answers at
every moment, with its old content or its new. A build that fails before this step leaves `out` as
it was; one interrupted during it leaves a mix, and the record is forgotten before the step begins,
so the next build replaces the whole site.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from govsite.cache import Cache

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
PUBLISHED_KIND = "published"

Stamp = tuple[int, int, int, int]  # inode, size, mtime_ns, ctime_ns


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


class PublishedFile(NamedTuple):
    """A file govsite put into the published site, as it left it."""

    key: str  # what the file was made from
    extra: Any  # what the build keeps beside it (a project page's search entry)
    stamp: Stamp


def _stamp(path: Path) -> Stamp | None:
    """The file's identity and change times; None unless it is a regular file (not a link)."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _record_key(out: Path) -> str:
    return hashlib.sha256(os.fsencode(out.resolve())).hexdigest()


def published_files(cache: Cache, out: Path) -> dict[str, PublishedFile]:
    """The files govsite last published at `out` that are still there as it left them (by path
    under `out`); {} when it does not know."""
    record = cache.get(PUBLISHED_KIND, _record_key(out)) if out.is_dir() else None
    if not isinstance(record, dict):
        return {}
    # kept as plain tuples: 10,000 of them unpickle several times faster than as objects
    found = {}
    for relative, fields in record.items():
        if isinstance(fields, tuple) and len(fields) == 3 and _stamp(out / relative) == fields[2]:
            found[relative] = PublishedFile(*fields)
    return found


def remember_published(cache: Cache, out: Path, files: Mapping[str, tuple[str, Any]]) -> None:
    """Remember `files` (path under `out` → (key, extra)) as published, with each file's stamp now."""
    record = {}
    for relative, (key, extra) in files.items():
        stamp = _stamp(out / relative)
        if stamp is not None:
            record[relative] = (key, extra, stamp)
    cache.put(PUBLISHED_KIND, _record_key(out), record)


def forget_published(cache: Cache, out: Path) -> None:
    cache.put(PUBLISHED_KIND, _record_key(out), None)


def _files_under(folder: Path) -> list[str]:
    """Every file under `folder`, as paths relative to it (links count as files: never followed)."""
    found = []
    for top, folders, files in os.walk(folder):
        relative = os.path.relpath(top, folder)
        for name in files + [f for f in folders if os.path.islink(os.path.join(top, f))]:
            found.append(name if relative == "." else f"{relative}/{name}")
    return found


def _clear_way(out: Path, relative: str) -> None:
    """Make sure the folders to `out/relative` exist as folders and nothing but a file is at it:
    what stands in the way (a file where a folder must be, a link, a folder where the file goes)
    belongs to the old site and goes."""
    path = out
    for part in relative.split("/")[:-1]:
        path = path / part
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
        if not path.exists():
            path.mkdir()
    target = out / relative
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)


def update_in_place(new: Path, out: Path, kept: Iterable[str]) -> None:
    """Make `out` hold exactly what `new` holds plus the files `kept` (already in `out`, unchanged):
    each file of `new` renamed into place, the new ones first; then whatever else `out` holds goes.
    `new` is left empty and removed."""
    moved = _files_under(new)
    wanted = set(moved) | set(kept)
    # new addresses first: until the pages that link to them are replaced, nothing points at them
    moved.sort(key=lambda relative: os.path.lexists(out / relative))
    for relative in moved:
        _clear_way(out, relative)
        os.replace(new / relative, out / relative)
    for relative in _files_under(out):
        if relative not in wanted:
            (out / relative).unlink()
    needed = {os.path.dirname(relative) for relative in wanted}
    needed |= {parent for folder in list(needed) for parent in _parents(folder)}
    for top, _folders, _files in os.walk(out, topdown=False):
        relative = os.path.relpath(top, out)
        if relative != "." and relative not in needed and not os.listdir(top):
            os.rmdir(top)
    shutil.rmtree(new)


def _parents(folder: str) -> list[str]:
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
