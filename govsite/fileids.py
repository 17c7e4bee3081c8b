"""The git blob ids of the working tree's files, remembered by each file's stat between runs.

Every validate names each of the registry's files by its blob id (the keys of the parse, index and
result caches). Reading and hashing 10,000 files to learn ids that have not changed cost most of a
one-file validate; like git's index, a file whose stat is as it was when it was hashed keeps its id.

The stat compared is size, mtime, ctime, inode and device. An edit always moves ctime (a program
can set mtime back, `touch -d`, but not ctime), a file replaced by another (a checkout, `mv`) has
a new inode, and a file is remembered only once its mtime and ctime are `RACY_SECONDS` older than
the moment it was hashed, so that a second write within the clock's resolution (same size, same
timestamps) cannot go unseen — git's "racy clean" problem, solved the same way. A clock set back by
more than that margin, or a file system without ctime, is what this cannot see; `GOVSITE_NO_CACHE=1`
turns it off with the rest of the cache.

The ids are of the bytes on disk. (Git's own index is not used: with `.gitattributes` a blob in git
can differ from the bytes in the working tree — eol conversion, working-tree-encoding — and it is
the working tree that validate reads.)
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

from govsite.cache import NO_CACHE, Cache, blob_id

RACY_SECONDS = 2
KIND = "stat"

Signature = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


class FileIds:
    """Blob ids of files below one root by repository-relative path ("" if a file cannot be read),
    each read and hashed at most once per run and not at all while its stat is unchanged."""

    def __init__(self, root: Path, cache: Cache = NO_CACHE) -> None:
        self.base = os.path.abspath(root)
        self.cache = cache
        self._key = hashlib.sha256(self.base.encode()).hexdigest()
        self._known: dict[str, tuple[Signature, str]] | None = None
        self._run: dict[str, str] = {}
        self._changed = False

    def _remembered(self) -> dict[str, tuple[Signature, str]]:
        if self._known is None:
            stored = self.cache.get(KIND, self._key) if self.cache.enabled else None
            self._known = stored if isinstance(stored, dict) else {}
        return self._known

    def of(self, relative: str) -> str:
        found = self._run.get(relative)
        if found is None:
            found = self._run[relative] = self._hash(relative)
        return found

    def read(self, relative: str) -> bytes | None:
        """The file's bytes (None if unreadable), its id noted on the way: for callers that need
        the bytes anyway."""
        try:
            data = Path(self.base, relative).read_bytes()
        except OSError:
            self._run[relative] = ""
            return None
        self._run[relative] = blob_id(data)
        return data

    def _hash(self, relative: str) -> str:
        path = os.path.join(self.base, relative)
        try:
            status = os.lstat(path)
        except OSError:  # gone (or unreachable): nothing to remember
            if self._remembered().pop(relative, None) is not None:
                self._changed = True
            return ""
        regular = stat.S_ISREG(status.st_mode)
        signature: Signature = (
            status.st_size,
            status.st_mtime_ns,
            status.st_ctime_ns,
            status.st_ino,
            status.st_dev,
        )
        known = self._remembered() if regular else {}
        hit = known.get(relative)
        if hit is not None and hit[0] == signature:
            return hit[1]
        try:
            with open(path, "rb") as handle:
                blob = blob_id(handle.read())
        except OSError:
            return ""
        # remembered only when no write can still hide inside the timestamps' resolution
        settled = time.time_ns() - RACY_SECONDS * 1_000_000_000
        if regular and self.cache.enabled and max(status.st_mtime_ns, status.st_ctime_ns) < settled:
            known[relative] = (signature, blob)
            self._changed = True
        elif hit is not None:
            del known[relative]
            self._changed = True
        return blob

    def save(self) -> None:
        """Write the remembered stats back, if this run learnt anything (one entry per registry)."""
        known = self._known
        if known is not None and len(self._run) >= len(known) // 2:
            # a run that looked at most of the files forgets the ones that are gone
            for gone in [path for path in known if path not in self._run]:
                del known[gone]
                self._changed = True
        if self._changed and known is not None and self.cache.enabled:
            self.cache.put(KIND, self._key, known)
        self._changed = False
