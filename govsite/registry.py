"""Find project files on disk and judge them; the file-system edge of `govsite validate`.

The registry is listed without following links (`os.walk` with `lstat`), so a symlink under
submissions/ is reported, never read, and content from outside the repository never reaches a
finding. Every path under submissions/ is held to the layout rules, and the ids the files claim
form one namespace across the whole registry (`govsite.layout`).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from govsite.judge import internal_error, judge_validate
from govsite.layout import (
    SUBMISSIONS,
    EntryKind,
    TreeEntry,
    collision_finding,
    is_hidden,
    is_project_path,
    namespace_collisions,
    namespace_key,
    path_findings,
)
from govsite.policy.named.common import RegistryEntry, RegistryView
from govsite.policy.pack import PolicyPack
from govsite.result import ProjectResult, RunResult
from govsite.validation import validate_project
from govsite.workdays import CALENDARS, WorkingCalendar, load_calendars
from govsite.yamlload import load_file

PROJECT_SUFFIXES = (".yaml", ".yml")


def _kind(path: Path) -> EntryKind:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return EntryKind.OTHER
    if stat.S_ISLNK(mode):
        return EntryKind.SYMLINK
    return EntryKind.FILE if stat.S_ISREG(mode) else EntryKind.OTHER


def walk(folder: Path) -> list[Path]:
    """Every entry below `folder` that is not a directory (symlinks to directories included), sorted;
    links are listed, never followed."""
    found: list[Path] = []
    for current, dirs, files in os.walk(folder, followlinks=False):
        base = Path(current)
        for name in dirs:
            if (base / name).is_symlink():
                found.append(base / name)
        found.extend(base / name for name in files)
    return sorted(found)


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
    return [TreeEntry(display_path(p, root), _kind(p)) for p in walk(submissions)]


def _is_judged(entry: TreeEntry) -> bool:
    """In the registry, a regular YAML file in a district folder whose name does not hide it is read
    and judged. A file named on the command line outside the registry (a draft) is judged on its
    content."""
    if not entry.path.startswith(SUBMISSIONS + "/"):
        return entry.kind is not EntryKind.OTHER
    return entry.kind is EntryKind.FILE and is_project_path(entry.path) and not is_hidden(entry.path)


def _targets(paths: Sequence[Path], root: Path) -> list[tuple[Path, TreeEntry]]:
    """The entries `paths` name: folders are expanded (links listed, not followed)."""
    targets: list[tuple[Path, TreeEntry]] = []
    seen: set[str] = set()
    for path in paths:
        listed = walk(path) if path.is_dir() and not path.is_symlink() else [path]
        for item in listed:
            entry = TreeEntry(display_path(item, root), _kind(item))
            if entry.path in seen:
                continue
            under_registry = entry.path.startswith(SUBMISSIONS + "/")
            if under_registry or item.suffix in PROJECT_SUFFIXES or not path.is_dir():
                seen.add(entry.path)
                targets.append((item, entry))
    return targets


def duplicate_ids(results: Sequence[ProjectResult]) -> None:
    """Two files may not claim one project id; both get the finding, naming the other."""
    by_id: dict[str, list[ProjectResult]] = defaultdict(list)
    for result in results:
        if result.project_id:
            by_id[result.project_id].append(result)
    for project_id, holders in by_id.items():
        if len(holders) < 2:
            continue
        for holder in holders:
            others = tuple(h.path for h in holders if h is not holder)
            if any(f.rule == "duplicate-id" for f in holder.findings):
                continue  # the namespace check has said it already
            holder.findings.insert(0, collision_finding(project_id, others))


def load_registry(root: Path) -> list[RegistryEntry]:
    entries = []
    for entry in registry_tree(root):
        if not _is_judged(entry):
            continue
        project, _ = validate_project(load_file(root / entry.path, entry.path))
        if project is not None:
            entries.append(RegistryEntry(entry.path, project))
    return entries


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


def _judge_entry(
    item: Path,
    entry: TreeEntry,
    packs: Sequence[PolicyPack],
    today: dt.date,
    registry: RegistryView,
    read: Callable[[str], bytes | None],
    calendar: WorkingCalendar,
) -> ProjectResult | None:
    problems = path_findings(entry)
    if not _is_judged(entry):
        return ProjectResult(path=entry.path, findings=list(problems)) if problems else None
    try:
        result = judge_validate(load_file(item, entry.path), packs, today, registry, read, calendar)
    except Exception as exc:  # one defect in govsite is one file's finding, not the end of the run
        result = internal_error(entry.path, exc)
    result.findings[:0] = problems
    return result


def validate_paths(
    paths: Sequence[Path], packs: Sequence[PolicyPack], root: Path, today: dt.date
) -> RunResult:
    run = RunResult(mode="validate")
    # rules across the registry see every project of the registry, not only the files asked for
    registry = RegistryView(lambda: load_registry(root))
    read = read_bytes_under(root)
    calendar = load_calendars(root / CALENDARS)  # the registry's own transcriptions of the notices
    for item, entry in _targets(paths, root):
        result = _judge_entry(item, entry, packs, today, registry, read, calendar)
        if result is not None:
            run.projects.append(result)
    # one namespace: a file asked for collides with any file of the registry, asked for or not
    collisions = namespace_collisions(e.path for e in registry_tree(root))
    for result in run.projects:
        others = collisions.get(result.path)
        if others:
            key = namespace_key(result.path) or result.path
            result.findings.insert(0, collision_finding(key, others))
    duplicate_ids(run.projects)
    return run
