"""The files of a registry as a run sees them, without parsing any: the listing under submissions/,
the files a command names, safe reads below the root, and the digest of everything a validate
run's output depends on.

Kept free of the model and the rules so that a run whose inputs are unchanged is answered from the
cache without importing them (`govsite validate` on an unchanged registry: well under a second).
The registry is listed without following links (`os.scandir`, types from the directory listing), so
a symlink under submissions/ is reported, never read, and content from outside the repository never
reaches a finding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from govsite.cache import blob_id, code_version, folder_digest
from govsite.fileids import FileIds
from govsite.layout import SUBMISSIONS, EntryKind, TreeEntry, is_hidden, is_project_path

if TYPE_CHECKING:
    from govsite.policy.pack import PolicyPack

PROJECT_SUFFIXES = (".yaml", ".yml")
CALENDARS = "calendars"  # as govsite.workdays, which this module does not import


def _kind(path: Path) -> EntryKind:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return EntryKind.OTHER
    if stat.S_ISLNK(mode):
        return EntryKind.SYMLINK
    return EntryKind.FILE if stat.S_ISREG(mode) else EntryKind.OTHER


def _scan(folder: str) -> list[tuple[str, EntryKind]]:
    """Every entry below `folder` that is not a directory, with its kind, in path order; links are
    listed, never followed. (`os.scandir` gives each entry's type from the directory listing itself:
    no stat per file, which matters for a city's 10,000.)"""
    found: list[tuple[str, EntryKind]] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                for item in listing:
                    if item.is_dir(follow_symlinks=False):
                        pending.append(item.path)
                    elif item.is_symlink():
                        found.append((item.path, EntryKind.SYMLINK))
                    elif item.is_file(follow_symlinks=False):
                        found.append((item.path, EntryKind.FILE))
                    else:
                        found.append((item.path, EntryKind.OTHER))
        except OSError:
            continue
    found.sort(key=lambda pair: pair[0].split(os.sep))
    return found


def walk(folder: Path) -> list[Path]:
    """Every entry below `folder` that is not a directory (symlinks to directories included), sorted;
    links are listed, never followed."""
    return [Path(path) for path, _kind in _scan(str(folder))]


def display_path(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def registry_tree(root: Path) -> list[TreeEntry]:
    """Every entry under root/submissions/, as repository-relative paths with their kind."""
    submissions = root / SUBMISSIONS
    if not submissions.is_dir():
        return []
    base = os.path.abspath(root)
    entries = []
    for path, kind in _scan(os.path.join(base, SUBMISSIONS)):
        relative = path[len(base) + 1 :]
        entries.append(TreeEntry(relative.replace(os.sep, "/") if os.sep != "/" else relative, kind))
    return entries


def is_judged(entry: TreeEntry) -> bool:
    """In the registry, a regular YAML file in a district folder whose name does not hide it is read
    and judged. A file named on the command line outside the registry (a draft) is judged on its
    content."""
    if not entry.path.startswith(SUBMISSIONS + "/"):
        return entry.kind is not EntryKind.OTHER
    return entry.kind is EntryKind.FILE and is_project_path(entry.path) and not is_hidden(entry.path)


def _relative(path: str, base: str, root: Path) -> str:
    if path.startswith(base + os.sep):
        return path[len(base) + 1 :].replace(os.sep, "/")
    return display_path(Path(path), root)


def targets(paths: Sequence[Path], root: Path) -> list[tuple[Path, TreeEntry]]:
    """The entries `paths` name: folders are expanded (links listed, not followed)."""
    targets: list[tuple[Path, TreeEntry]] = []
    seen: set[str] = set()
    base = os.path.abspath(root)
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            listed = [
                (Path(p), TreeEntry(_relative(p, base, root), kind))
                for p, kind in _scan(os.path.abspath(path))
            ]
        else:
            listed = [(path, TreeEntry(display_path(path, root), _kind(path)))]
        for item, entry in listed:
            if entry.path in seen:
                continue
            under_registry = entry.path.startswith(SUBMISSIONS + "/")
            if under_registry or item.suffix in PROJECT_SUFFIXES or not path.is_dir():
                seen.add(entry.path)
                targets.append((item, entry))
    return targets


MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def read_bytes_under(root: Path) -> Callable[[str], bytes | None]:
    """Read a repository-relative path below `root`, or None: never outside it, never through a link."""
    base = root.resolve()

    def read(relative: str) -> bytes | None:
        target = base / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            return None
        probe = target
        while probe != base:  # no component may be a symlink
            if probe.is_symlink():
                return None
            probe = probe.parent
            if len(probe.parts) < len(base.parts):
                return None
        if not target.is_file() or target.stat().st_size > MAX_DOCUMENT_BYTES:
            return None
        try:
            return target.read_bytes()
        except OSError:
            return None

    return read


def calendar_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def packs_key(policies: Sequence[Path], settings: str) -> str:
    """Every pack folder's content and govsite's code, with the registry's settings (its districts):
    what loading the packs gives, as one digest."""
    digest = hashlib.sha256(f"packs\0{code_version()}\0{settings}".encode())
    for policies_dir in policies:  # the shipped packs, then the registry's own (resources.py)
        digest.update(f"\0{policies_dir}\0".encode())
        for folder in sorted(p for p in policies_dir.iterdir() if (p / "policy.yaml").is_file()):
            digest.update(folder.name.encode() + b"\0" + folder_digest(folder).encode())
    return digest.hexdigest()


def validation_key(
    paths: Sequence[Path],
    root: Path,
    today: dt.date,
    packs: str,
    ids: FileIds | None = None,
    tree: Sequence[TreeEntry] | None = None,
) -> str:
    """Everything the result of `validate paths` depends on, as one digest: govsite's code, the
    packs and the registry's settings (`packs_key`), the calendars, the date, and the name, kind and
    content of every file asked for and of every file of the registry (material files elsewhere are
    checked by the entry, see `reads_hold`). The registry's files are named by their blob ids,
    which `ids` knows from their stat."""
    digest = hashlib.sha256(
        f"{code_version()}\0{today.isoformat()}\0{os.path.abspath(root)}\0{packs}".encode()
    )
    digest.update(calendar_digest(root / CALENDARS).encode())
    ids = ids or FileIds(root)

    def content(path: str | Path) -> bytes:
        try:
            with open(path, "rb") as handle:
                return blob_id(handle.read()).encode()
        except OSError:
            return b"-"

    for entry in registry_tree(root) if tree is None else tree:
        digest.update(f"\0{entry.path}\0{entry.kind.value}\0".encode())
        if entry.kind is EntryKind.FILE:
            digest.update(ids.of(entry.path).encode() or b"-")
    digest.update(b"\0targets")
    for item, entry in targets(paths, root):
        digest.update(f"\0{entry.path}\0{entry.kind.value}\0".encode())
        if entry.kind is not EntryKind.OTHER and not entry.path.startswith(SUBMISSIONS + "/"):
            digest.update(content(item))
    return digest.hexdigest()


def reads_hold(root: Path, reads: Mapping[str, str]) -> bool:
    """The material files a cached run read are as they were."""
    read = read_bytes_under(root)
    for relative, blob in reads.items():
        data = read(relative)
        if (blob_id(data) if data is not None else "-") != blob:
            return False
    return True


def index_key(files: Sequence[tuple[str, str]], packs: Sequence[PolicyPack] = ()) -> str:
    """The key of the registry index of these files (path and blob id of each), with its registry
    keys computed under these packs' params. (Here, not in govsite.corpus: a run answered from the
    cache names its registry's state with it, without importing the model.)"""
    digest = hashlib.sha256(f"registry-index\0{code_version()}".encode())
    for pack in packs:
        digest.update(f"{pack.id}\0{pack.digest}\0".encode())
    digest.update(b"\0files")
    for path, blob in files:
        digest.update(f"{path}\0{blob}\0".encode())
    return digest.hexdigest()


def registry_state(tree: Sequence[TreeEntry], ids: FileIds) -> str:
    """Every project file of the registry by path and blob id, as one digest: equal digests, equal
    answers to every lookup a rule can make (by id and by peers read only these files)."""
    return index_key([(e.path, ids.of(e.path)) for e in tree if is_judged(e)])
