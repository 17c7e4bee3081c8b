"""A content-addressed cache, shared by validate, check and build: `.govsite-cache/` at the registry root.

Entries are keyed by what they were computed from (a file's git blob id, a pack's content, …) so a
stale entry is never found, only a missing one; the folder is ignored by git and safe to delete.

Entries are pickles, and a pickle can run code when loaded: an entry is only read if it carries an
HMAC made with this user's own key (`$XDG_CACHE_HOME/govsite/key`, created on first use, readable by
the user alone). A `.govsite-cache/` that arrives with a clone — written by someone else — has no
valid HMAC and is ignored, so a repository cannot smuggle code in through its cache; its database
must also hold govsite's tables and nothing else (no trigger can run on an insert) and name this
user as its owner, or it is replaced.

Entries not used for `GOVSITE_CACHE_DAYS` days (default 30) are deleted, at most once a day, when a
run opens the cache, and `govsite cache prune` does it on demand: every govsite version and every
edit of a file writes new entries, and without eviction the cache only grows.

`GOVSITE_NO_CACHE=1` turns the cache off (for measuring cold runs).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import os
import pickle
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

FOLDER = ".govsite-cache"
FORMAT = b"govsite-cache-1"  # bump when what is cached changes shape
_MAC_SIZE = hashlib.sha256().digest_size  # the HMAC-SHA256 each value starts with


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


DATABASE = "cache.sqlite3"
# Exactly what govsite creates: a database with anything else in it (a trigger, a view) was not
# written by govsite and is replaced before anything is inserted into it.
_SCHEMA = {
    # A rowid table, the key in its own index: in a WITHOUT ROWID table the whole row is the b-tree's
    # key, and finding one entry compared it with rows of tens of megabytes on the way down (SQLite
    # loads a key that overflows its page whole to compare it) — a lookup of a missing entry took
    # 60 ms, reading the 1.2 MB stat record 50-70 ms, in a city's cache.
    ("table", "entries"): "CREATE TABLE entries (kind TEXT NOT NULL, key TEXT NOT NULL, "
    "value BLOB NOT NULL, PRIMARY KEY (kind, key))",
    # the day each entry was last written or read, apart from the values: refreshing a day must not
    # rewrite a value of tens of megabytes
    ("table", "used"): "CREATE TABLE used (kind TEXT NOT NULL, key TEXT NOT NULL, "
    "day INTEGER NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID",
    ("table", "meta"): "CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
}
DEFAULT_KEEP_DAYS = 30


def _today() -> int:
    """Days since 1970 (UTC): the unit entries age in."""
    return int(time.time() // 86400)


def keep_days() -> int:
    """How many days an unused entry is kept (GOVSITE_CACHE_DAYS, default 30)."""
    try:
        return max(0, int(os.environ.get("GOVSITE_CACHE_DAYS", DEFAULT_KEEP_DAYS)))
    except ValueError:
        return DEFAULT_KEEP_DAYS


# Open connections by (process, database): a connection never crosses a fork (sqlite forbids it),
# so a forked worker opens its own. Ones inherited from the parent are kept, never used or closed.
_CONNECTIONS: dict[tuple[int, str], tuple[sqlite3.Connection, int]] = {}  # with the file's inode
_INHERITED: list[sqlite3.Connection] = []


def _forget_inherited() -> None:
    _INHERITED.extend(connection for connection, _inode in _CONNECTIONS.values())
    _CONNECTIONS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)


class Cache:
    """Entries in one SQLite database, `.govsite-cache/cache.sqlite3`: one file, not one per entry
    (creating a file costs far more than a row on the file systems CI runs on: 30,000 entries took
    most of a rebuild of 10,000 projects). Writes are single-statement transactions without fsync
    (WAL, synchronous=OFF): a crash can lose the last entries, never serve a wrong one, since every
    value carries its HMAC and a database that does not open cleanly is replaced."""

    def __init__(self, root: Path | None) -> None:
        self.enabled = root is not None and not os.environ.get("GOVSITE_NO_CACHE")
        self.folder = (root / FOLDER) if root is not None else Path(".")
        self._key = _user_key() if self.enabled else None
        if self._key is None:
            self.enabled = False
        self.hits = 0
        self.misses = 0
        self._live: tuple[int, sqlite3.Connection] | None = None  # (process, connection)
        self._touched: set[tuple[str, str]] = set()  # entries whose day this process refreshed

    @property
    def database(self) -> Path:
        return self.folder / DATABASE

    def _mac(self, body: bytes | memoryview) -> bytes:
        assert self._key is not None
        mac = hmac.new(self._key, FORMAT, hashlib.sha256)
        mac.update(body)  # not FORMAT + body: a copy of every value, of 60 MB for a city's report
        return mac.digest()

    def _connection(self) -> sqlite3.Connection | None:
        """This process's connection to the database; reopened if the folder was deleted meanwhile
        (the cache is safe to delete at any time, also under a running process)."""
        if self._live is not None and self._live[0] == os.getpid():
            return self._live[1]
        slot = (os.getpid(), str(self.database))
        known = _CONNECTIONS.get(slot)
        try:
            inode = os.stat(self.database).st_ino if known is not None else None
        except OSError:
            inode = None
        if known is not None and inode == known[1]:
            connection = known[0]
        else:
            try:
                connection = self._open()
                _CONNECTIONS[slot] = (connection, os.stat(self.database).st_ino)
                self._prune_daily(connection)
            except (sqlite3.Error, OSError):
                self.enabled = False  # a cache that cannot be opened is no cache, never an error
                return None
        self._live = (os.getpid(), connection)
        return connection

    def _open(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not (self.folder / ".gitignore").exists():
            (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
        try:
            connection = self._connect()
            if self._ours(connection):
                return connection
            connection.close()
        except sqlite3.Error:
            pass
        # not a database this user's govsite made (or damaged): start a new one
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        connection = self._connect()
        connection.execute("PRAGMA auto_vacuum = INCREMENTAL")  # before the first table: pruning frees space
        for statement in _SCHEMA.values():
            connection.execute(statement)
        connection.execute("INSERT INTO meta VALUES ('owner', ?)", (self._mac(b"owner"),))
        return connection

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.database, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = OFF")
        return connection

    def _ours(self, connection: sqlite3.Connection) -> bool:
        """The database holds govsite's two tables and nothing else, and names this user as its owner."""
        found = {
            (kind, name): sql
            for kind, name, sql in connection.execute("SELECT type, name, sql FROM sqlite_master")
            if not name.startswith("sqlite_autoindex_")
        }
        if found != _SCHEMA:
            return False
        row = connection.execute("SELECT value FROM meta WHERE name = 'owner'").fetchone()
        return (
            row is not None and isinstance(row[0], bytes) and hmac.compare_digest(row[0], self._mac(b"owner"))
        )

    def _read(self, kind: str, key: str) -> bytes | None:
        connection = self._connection() if self.enabled else None
        if connection is None:
            return None
        try:
            row = connection.execute(
                "SELECT value, (SELECT day FROM used WHERE kind = ?1 AND key = ?2) "
                "FROM entries WHERE kind = ?1 AND key = ?2",
                (kind, key),
            ).fetchone()
            if row is not None and (row[1] is None or row[1] < _today()) and (kind, key) not in self._touched:
                # at most one write per entry per day: a warm run of a whole registry stays a read
                self._touched.add((kind, key))
                connection.execute("INSERT OR REPLACE INTO used VALUES (?, ?, ?)", (kind, key, _today()))
        except sqlite3.Error:
            return None
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def get(self, kind: str, key: str) -> Any | None:
        if not self.enabled:
            return None
        raw = self._read(kind, key)
        if raw is None:
            self.misses += 1
            return None
        view = memoryview(raw)  # the value without copying it
        mac, body = bytes(view[:_MAC_SIZE]), view[_MAC_SIZE:]
        if not hmac.compare_digest(mac, self._mac(body)):
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
        """An entry exists (whether it is valid is for `get` to say)."""
        connection = self._connection() if self.enabled else None
        if connection is None:
            return False
        try:
            row = connection.execute(
                "SELECT 1 FROM entries WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        except sqlite3.Error:
            return False
        return row is not None

    def put(self, kind: str, key: str, value: Any) -> bool:
        """Store `value`; say whether it was (a cache that is off, full or read-only stores nothing)."""
        connection = self._connection() if self.enabled else None
        if connection is None:
            return False
        # pickled after room for the signature, which is then written in place: `mac + body` was
        # one more copy of every value (of 40 MB for a city's open data, at the build's peak)
        stored = io.BytesIO()
        stored.write(bytes(_MAC_SIZE))
        try:
            pickle.dump(value, stored, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return False
        with stored.getbuffer() as view:
            view[:_MAC_SIZE] = self._mac(view[_MAC_SIZE:])
            try:
                connection.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", (kind, key, view))
                connection.execute("INSERT OR REPLACE INTO used VALUES (?, ?, ?)", (kind, key, _today()))
            except sqlite3.Error:
                return False
        return True

    def prune(self, days: int | None = None) -> int:
        """Delete the entries not used for more than `days` days (default: keep_days()); return how
        many. `days=0` empties the cache."""
        connection = self._connection() if self.enabled else None
        if connection is None:
            return 0
        limit = _today() - (keep_days() if days is None else days) + (1 if days == 0 else 0)
        return self._prune(connection, limit)

    @staticmethod
    def _prune(connection: sqlite3.Connection, before_day: int) -> int:
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                stale = "SELECT kind, key FROM used WHERE day < ?"
                deleted = connection.execute(
                    f"DELETE FROM entries WHERE (kind, key) IN ({stale}) "
                    "OR (kind, key) NOT IN (SELECT kind, key FROM used)",
                    (before_day,),
                ).rowcount
                connection.execute("DELETE FROM used WHERE day < ?", (before_day,))
                connection.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('pruned', ?)", (str(_today()).encode(),)
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("PRAGMA incremental_vacuum")
        except sqlite3.Error:
            return 0
        return max(deleted, 0)

    def _prune_daily(self, connection: sqlite3.Connection) -> None:
        """Evict old entries when a run first opens the cache on a new day (a cheap scan of `used`)."""
        try:
            row = connection.execute("SELECT value FROM meta WHERE name = 'pruned'").fetchone()
            if row is not None and row[0] == str(_today()).encode():
                return
        except sqlite3.Error:
            return
        self._prune(connection, _today() - keep_days())

    def size(self) -> tuple[int, int]:
        """(entries, bytes on disk) of the database."""
        connection = self._connection() if self.enabled else None
        if connection is None:
            return 0, 0
        try:
            (count,) = connection.execute("SELECT count(*) FROM entries").fetchone()
        except sqlite3.Error:
            count = 0
        on_disk = sum(
            Path(f"{self.database}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{self.database}{suffix}").exists()
        )
        return int(count), on_disk


NO_CACHE = Cache(None)


def blob_id(data: bytes) -> str:
    """The git blob id of `data` (what `git hash-object` prints): the key of a file's entries."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
