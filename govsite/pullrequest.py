"""`govsite check`: judge the project files a pull request changes, under the base branch's policies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

import git

from govsite.findings import Finding, Severity
from govsite.gitio import (
    POLICIES,
    SUBMISSIONS,
    changed_files,
    export_tree,
    list_files,
    merge_base,
    open_repo,
    read_blob,
    resolve,
)
from govsite.judge import judge_change
from govsite.policy.named.common import RegistryEntry, RegistryView
from govsite.policy.pack import load_packs
from govsite.registry import PROJECT_SUFFIXES, duplicate_ids
from govsite.result import ProjectResult, RunResult
from govsite.validation import validate_project
from govsite.yamlload import MAX_BYTES, load_bytes


def is_project_path(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (
        len(parts) >= 3
        and parts[0] == SUBMISSIONS.rstrip("/")
        and PurePosixPath(path).suffix in PROJECT_SUFFIXES
        and not any(p.startswith((".", "_")) for p in parts[1:])
    )


def _registry_at(repo: git.Repo, rev: str) -> list[RegistryEntry]:
    """Every project of the registry as it is at `rev` (the pull request's head)."""
    entries = []
    for path in list_files(repo, rev, SUBMISSIONS):
        if is_project_path(path):
            raw = read_blob(repo, rev, path)
            project, _ = validate_project(load_bytes(raw or b"", path))
            if project is not None:
                entries.append(RegistryEntry(path, project))
    return entries


def check_pull_request(root: Path, base: str, head: str, today: dt.date) -> RunResult:
    repo = open_repo(root)
    head_sha = resolve(repo, head)
    base_sha = merge_base(repo, resolve(repo, base), head_sha)
    run = RunResult(mode="check", base=base_sha, head=head_sha)
    # The pull request is judged by the base branch's rules, never by rules it brings itself.
    with export_tree(repo, base_sha, POLICIES) as exported:
        packs = load_packs(Path(exported) / POLICIES)
    if changed_files(repo, base_sha, head_sha, POLICIES):
        run.notes.append("本合并请求修改了政策包；本次检查仍按目标分支上的政策进行，合并后新政策才生效。")
    registry = RegistryView(lambda: _registry_at(repo, head_sha))

    def read(path: str) -> str | None:
        raw = read_blob(repo, head_sha, path)
        try:
            return raw.decode("utf-8") if raw is not None and len(raw) <= MAX_BYTES else None
        except UnicodeDecodeError:
            return None

    for change in changed_files(repo, base_sha, head_sha, SUBMISSIONS):
        if not is_project_path(change.path):
            continue
        if change.status == "D":
            run.projects.append(
                ProjectResult(
                    path=change.path,
                    findings=[
                        Finding(
                            rule="transition",
                            severity=Severity.ERROR,
                            message="项目文件不能删除：登记记录须永久保留",
                            hint="不再使用的系统请把阶段推进到“停用”或“下架”。",
                            line=1,
                            column=1,
                        )
                    ],
                )
            )
            continue
        head_doc = load_bytes(read_blob(repo, head_sha, change.path) or b"", change.path)
        base_project = None
        if change.status != "A":
            base_raw = read_blob(repo, base_sha, change.path)
            if base_raw is not None:
                base_project, _ = validate_project(load_bytes(base_raw, change.path))
        run.projects.append(judge_change(head_doc, base_project, packs, today, registry, read))
    duplicate_ids(run.projects)
    return run
