"""Find project files on disk and judge them; the file-system edge of `govsite validate`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from govsite.findings import Finding, Severity
from govsite.judge import judge_validate
from govsite.policy.named.common import RegistryEntry, RegistryView
from govsite.policy.pack import PolicyPack
from govsite.result import ProjectResult, RunResult
from govsite.validation import validate_project
from govsite.yamlload import MAX_BYTES, load_file

PROJECT_SUFFIXES = (".yaml", ".yml")


def project_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to the YAML files below them (hidden and `_` folders skipped), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path).parts
                if any(part.startswith((".", "_")) for part in relative):
                    continue
                if candidate.is_file() and candidate.suffix in PROJECT_SUFFIXES:
                    found.append(candidate)
        else:
            found.append(path)
    return found


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


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
            holder.findings.insert(
                0,
                Finding(
                    rule="duplicate-id",
                    severity=Severity.ERROR,
                    message=f"项目编号 {project_id} 与 {'、'.join(others)} 重复",
                    hint="每个项目编号只能使用一次：为新项目取下一个未用的编号。",
                    line=1,
                    column=1,
                    related=others,
                ),
            )


def registry_files(root: Path) -> list[Path]:
    """The project files of a registry: submissions/<district>/…/*.yaml."""
    submissions = root / "submissions"
    if not submissions.is_dir():
        return []
    districts = [p for p in sorted(submissions.iterdir()) if p.is_dir() and not p.name.startswith((".", "_"))]
    return project_files(districts)


def load_registry(root: Path) -> list[RegistryEntry]:
    entries = []
    for path in registry_files(root):
        project, _ = validate_project(load_file(path, display_path(path, root)))
        if project is not None:
            entries.append(RegistryEntry(display_path(path, root), project))
    return entries


def read_text_under(root: Path) -> Callable[[str], str | None]:
    """Read a repository-relative path below `root` (never outside it), or None."""
    base = root.resolve()

    def read(relative: str) -> str | None:
        target = (base / relative).resolve()
        if not target.is_relative_to(base) or not target.is_file() or target.stat().st_size > MAX_BYTES:
            return None
        try:
            return target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return read


def validate_paths(
    paths: Sequence[Path], packs: Sequence[PolicyPack], root: Path, today: dt.date
) -> RunResult:
    run = RunResult(mode="validate")
    # rules across the registry see every project of the registry, not only the files asked for
    registry = RegistryView(lambda: load_registry(root))
    read = read_text_under(root)
    for path in project_files(paths):
        doc = load_file(path, display_path(path, root))
        run.projects.append(judge_validate(doc, packs, today, registry, read))
    duplicate_ids(run.projects)
    return run
