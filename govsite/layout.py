"""The registry's layout: which paths hold projects, and the rules every path under submissions/ obeys.

One namespace: a project is `submissions/<district>/<ID>.yaml`, its id is its file name and its
folder is its district, so ids are unique across the whole registry without reading a single file.
The same pattern for ids (ASCII only) is used by the model, by this layout check and by the site.

Pure: callers give paths and what kind of entry each is (a regular file, a symlink, something else);
`validate` lists them from the file system without following links, `check` from `git ls-tree`.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from govsite.districts import district_of_id, prefix_of
from govsite.findings import Finding, Severity

SUBMISSIONS = "submissions"
PROJECT_SUFFIXES = (".yaml", ".yml")

# A district's prefix (its packs' id_prefix, govsite/districts.py), the year, a number. ASCII digits
# only: `\d` would also accept ٢٠٢٦ or full-width ２０２６, which look like an existing id to a reader
# and break links on the site. Which prefix belongs to which district is checked against the packs.
ID_PATTERN = "^[A-Z]{2,4}-[0-9]{4}-[0-9]{3,4}$"
_ID = re.compile(ID_PATTERN)
_ID_LIKE = re.compile(r"[A-Za-z]{2,4}-[0-9]{4}-[0-9]{3,4}")


def canonical_paths(project_id: str) -> tuple[str, ...]:
    """Where the project with this id must live (submissions/<district>/<id>.yaml or .yml): a rule
    that looks a project up by id reads that file, and a file elsewhere claiming the id is not it
    (it has its own layout finding)."""
    district = district_of_id(project_id) if _ID.match(project_id) else None
    if district is None:
        return ()
    return tuple(f"{SUBMISSIONS}/{district}/{project_id}{suffix}" for suffix in PROJECT_SUFFIXES)


# A file or folder name under submissions/: ASCII letters, digits, ".", "_", "-"; not hidden.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def is_project_id(text: str) -> bool:
    return bool(_ID.fullmatch(text))


class EntryKind(StrEnum):
    FILE = "file"
    SYMLINK = "symlink"
    OTHER = "other"  # a submodule, a device, a pipe …


@dataclass(frozen=True)
class TreeEntry:
    path: str  # repository-relative, "/"-separated
    kind: EntryKind = EntryKind.FILE


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked of every path several times per run
def path_parts(path: str) -> tuple[str, ...]:
    """`PurePosixPath(path).parts`, without building a path object: asked of each of 10,000 paths
    several times a run, where pathlib's parsing cost more than the rest of a one-file validate."""
    if path.startswith("/"):
        return PurePosixPath(path).parts  # absolute: pathlib's rules for leading slashes
    return tuple(part for part in path.split("/") if part and part != ".")


def _stem_suffix(name: str) -> tuple[str, str]:
    """`PurePosixPath(name).stem` and `.suffix` of a last path component."""
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        return name[:dot], name[dot:]
    return name, ""


def path_stem(path: str) -> str:
    parts = path_parts(path)
    return _stem_suffix(parts[-1])[0] if parts and parts[-1] != "/" else ""


def path_suffix(path: str) -> str:
    parts = path_parts(path)
    return _stem_suffix(parts[-1])[1] if parts and parts[-1] != "/" else ""


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked of every path several times per run
def is_project_path(path: str) -> bool:
    """A YAML file inside a district folder: judged as a project wherever below it it sits (the
    layout findings then say where it belongs), so no YAML file can hide from the check."""
    parts = path_parts(path)
    return len(parts) >= 3 and parts[0] == SUBMISSIONS and path_suffix(path) in PROJECT_SUFFIXES


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked of every path several times per run
def is_hidden(path: str) -> bool:
    """A name below submissions/ starting with "." or "_": never judged as a project (and a finding)."""
    return any(part.startswith((".", "_")) for part in path_parts(path)[1:])


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked of every path several times per run
def is_registry_path(path: str) -> bool:
    """Anything under a district folder (projects and the documents they reference)."""
    parts = path_parts(path)
    return len(parts) >= 3 and parts[0] == SUBMISSIONS


def _finding(message: str, hint: str) -> Finding:
    return Finding(rule="layout", severity=Severity.ERROR, message=message, hint=hint, line=1, column=1)


def path_findings(entry: TreeEntry) -> list[Finding]:
    """What is wrong with one path under submissions/, from its name and kind alone."""
    parts = path_parts(entry.path)
    if not parts or parts[0] != SUBMISSIONS:
        return []
    findings: list[Finding] = []
    if entry.kind is EntryKind.SYMLINK:
        findings.append(
            _finding(
                f"submissions/ 下不允许符号链接：{entry.path}",
                "把链接换成真实的文件；项目之间的关系写在项目文件里（如 original_project），不用链接。",
            )
        )
    elif entry.kind is EntryKind.OTHER:
        findings.append(
            _finding(
                f"submissions/ 下只能有普通文件：{entry.path} 不是普通文件（子模块、设备或管道）",
                "删除它；材料文件直接放在仓库中并在项目文件里引用。",
            )
        )
    hidden = [p for p in parts[1:] if p.startswith((".", "_"))]
    if hidden:
        findings.append(
            _finding(
                f"submissions/ 下不允许隐藏文件或以“_”开头的文件：{entry.path}",
                "这类文件不会被当作项目检查，也不会公开：改用普通的文件名，或移出 submissions/。",
            )
        )
    else:
        unsafe = [p for p in parts[1:] if not _SAFE_NAME.fullmatch(p)]
        if unsafe:
            findings.append(
                _finding(
                    f"submissions/ 下的文件名和文件夹名只能用英文字母、数字和 . _ -：{entry.path}",
                    "项目文件名就是项目编号（如 MH-2026-014.yaml）；材料文件也请用英文或数字命名。",
                )
            )
    stem, suffix = path_stem(entry.path), path_suffix(entry.path)
    if (
        len(parts) == 3
        and not hidden
        and _ID_LIKE.fullmatch(stem)
        and not (is_project_id(stem) and suffix in PROJECT_SUFFIXES)
    ):
        findings.append(
            _finding(
                f"文件名像项目编号，却不是项目文件的写法：{entry.path}",
                f"项目文件写成 {stem.upper()}.yaml（编号字母大写，扩展名 .yaml）；不是项目的文件请改名。",
            )
        )
    return findings


def namespace_key(path: str) -> str | None:
    """The id a path claims in the registry's one namespace, whatever its case or extension: a file
    directly in a district folder, or a YAML file anywhere below one. (Documents in subfolders may
    be named after their project, e.g. plans/GS-2026-003.md.)"""
    parts = path_parts(path)
    if len(parts) < 3 or parts[0] != SUBMISSIONS:
        return None
    if len(parts) > 3 and not is_project_path(path):
        return None
    stem = path_stem(path)
    return stem.upper() if _ID_LIKE.fullmatch(stem) else None


def namespace_collisions(paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each path whose claimed id another path also claims → the other paths."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        key = namespace_key(path)
        if key is not None:
            by_key[key].append(path)
    collisions: dict[str, tuple[str, ...]] = {}
    for holders in by_key.values():
        if len(holders) > 1:
            for path in holders:
                collisions[path] = tuple(sorted(p for p in holders if p != path))
    return collisions


def collision_finding(project_id: str, others: Sequence[str]) -> Finding:
    return Finding(
        rule="duplicate-id",
        severity=Severity.ERROR,
        message=f"项目编号 {project_id} 已被 {'、'.join(others)} 使用：登记册中每个编号只能有一个文件（不论大小写和扩展名）",
        hint="为新项目取下一个未用的编号（govsite new 会自动编号）；同一项目只保留一个文件。",
        line=1,
        column=1,
        related=tuple(others),
    )


def project_layout_findings(
    project_id: str, district: str, district_label: str, budget_year: int, path: str
) -> list[Finding]:
    """File name = id, folder = district, id prefix = district: together they make ids unique
    without reading the whole registry. Findings point at the `id` or `district` field."""
    parts = PurePosixPath(path).parts
    findings: list[Finding] = []
    if SUBMISSIONS not in parts:
        return findings  # a draft outside the registry is judged on content only
    prefix = prefix_of(district)
    if prefix is not None and not project_id.startswith(prefix + "-"):
        findings.append(
            Finding(
                rule="layout",
                severity=Severity.ERROR,
                message=f"{district_label}的项目编号应以 {prefix}- 开头",
                hint=f"例如 {prefix}-{budget_year}-001。",
                field=("id",),
            )
        )
    if PurePosixPath(path).stem != project_id:
        findings.append(
            Finding(
                rule="layout",
                severity=Severity.ERROR,
                message=f"文件名应为项目编号：{project_id}.yaml",
                hint=f"把文件改名为 {project_id}.yaml（用 git mv 保留历史）。",
                field=("id",),
            )
        )
    below = parts[len(parts) - 1 - parts[::-1].index(SUBMISSIONS) + 1 :]
    if len(below) != 2 or below[0] != district:
        findings.append(
            Finding(
                rule="layout",
                severity=Severity.ERROR,
                message=f"{district_label}的项目应直接放在 submissions/{district}/ 下",
                hint=f"把文件移到 submissions/{district}/{project_id}.yaml。",
                field=("district",),
            )
        )
    return findings
