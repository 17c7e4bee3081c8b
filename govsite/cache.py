"""A content-addressed cache, shared by validate, check and build: `.govsite-cache/` at the registry root.

Entries are keyed by what they were computed from (a file's git blob id, a pack's content, …) so a
stale entry is never found, only a missing one; the folder is ignored by git and safe to delete.

Entries are pickles, and a pickle can run code when loaded: an entry is only read if it carries an
HMAC made with this user's own key (`$XDG_CACHE_HOME/govsite/key`, created on first use, readable by
the user alone). A `.govsite-cache/` that arrives with a clone — written by someone else — has no
valid HMAC and is ignored, so a repository cannot smuggle code in through its cache.

`GOVSITE_NO_CACHE=1` turns the cache off (for measuring cold runs).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from pathlib import Path
from typing import Any

FOLDER = ".govsite-cache"
FORMAT = b"govsite-cache-1"  # bump when what is cached changes shape


def _user_key() -> bytes | None:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "govsite"
    path = base / "key"
    try:
        return path.read_bytes()
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key
    except FileExistsError:
        return path.read_bytes()
    except OSError:
        return None  # no writable home: no cache


@functools.cache
def code_version() -> str:
    """The govsite code that produced an entry: entries from other code are not reused."""
    from govsite import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def folder_digest(folder: Path) -> str:
    """What a folder (a policy pack) holds: every file's name and content, and the govsite code
    that reads them."""
    digest = hashlib.sha256(code_version().encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class Cache:
    def __init__(self, root: Path | None) -> None:
        self.enabled = root is not None and not os.environ.get("GOVSITE_NO_CACHE")
        self.folder = (root / FOLDER) if root is not None else Path(".")
        self._key = _user_key() if self.enabled else None
        if self._key is None:
            self.enabled = False
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}.pickle"

    def get(self, kind: str, key: str) -> Any | None:
        if not self.enabled:
            return None
        try:
            raw = self._path(kind, key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        mac, body = raw[:32], raw[32:]
        assert self._key is not None
        if not hmac.compare_digest(mac, hmac.new(self._key, FORMAT + body, hashlib.sha256).digest()):
            self.misses += 1
            return None  # not written by this user's govsite: never unpickled
        try:
            value = pickle.loads(body)
        except Exception:
            self.misses += 1
            return None
        self.hits += 1
        return value

    def has(self, kind: str, key: str) -> bool:
        """An entry exists (whether it is valid is for `get` to say): skips a read for a miss."""
        return self.enabled and self._path(kind, key).is_file()

    def put(self, kind: str, key: str, value: Any) -> None:
        if not self.enabled:
            return
        assert self._key is not None
        try:
            body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        mac = hmac.new(self._key, FORMAT + body, hashlib.sha256).digest()
        target = self._path(kind, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (self.folder / ".gitignore").exists():
                (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(mac + body)
            os.replace(temporary, target)
        except OSError:
            return


NO_CACHE = Cache(None)


def blob_id(data: bytes) -> str:
    """The git blob id of `data` (what `git hash-object` prints): the key of a file's entries."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
