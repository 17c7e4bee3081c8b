"""The git edge: which project files a pull request changes, and their base and head contents."""

from __future__ import annotations

import tarfile
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import git

from govsite.errors import GovsiteError

SUBMISSIONS = "submissions/"
POLICIES = "policies/"


@dataclass(frozen=True)
class ChangedFile:
    status: str  # A added, M modified, D deleted
    path: str


def open_repo(root: Path) -> git.Repo:
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise GovsiteError(f"{root} 不是 Git 仓库", "在项目登记仓库的目录中运行 govsite check。") from exc


def resolve(repo: git.Repo, rev: str) -> str:
    try:
        return str(repo.commit(rev).hexsha)
    except (git.BadName, ValueError) as exc:
        raise GovsiteError(
            f"找不到提交 {rev!r}", "确认分支名或提交号；CI 中需要 fetch-depth: 0 取得完整历史。"
        ) from exc


def merge_base(repo: git.Repo, base: str, head: str) -> str:
    bases = repo.merge_base(base, head)
    if not bases:
        raise GovsiteError(f"{base} 与 {head} 没有共同祖先", "确认合并请求的目标分支。")
    return str(bases[0].hexsha)


def changed_files(repo: git.Repo, base: str, head: str, prefix: str) -> list[ChangedFile]:
    """Files under `prefix` that differ between two commits; a rename counts as delete + add."""
    output = repo.git.diff("--name-status", "-z", "--no-renames", base, head, "--", prefix)
    fields = [f for f in output.split("\0") if f]
    return [ChangedFile(fields[i][0], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]


def list_files(repo: git.Repo, rev: str, prefix: str) -> list[str]:
    output = repo.git.ls_tree("-r", "--name-only", "-z", rev, "--", prefix)
    return [p for p in output.split("\0") if p]


def read_blob(repo: git.Repo, rev: str, path: str) -> bytes | None:
    try:
        blob = repo.commit(rev).tree / path
    except KeyError:
        return None
    data: bytes = blob.data_stream.read()
    return data


def export_tree(repo: git.Repo, rev: str, subdir: str) -> tempfile.TemporaryDirectory[str]:
    """Write `subdir` as it is at `rev` into a temporary folder (the caller cleans it up)."""
    target = tempfile.TemporaryDirectory(prefix="govsite-")
    try:
        archive = repo.git.archive(rev, subdir.rstrip("/"), format="tar", stdout_as_string=False)
    except git.GitCommandError as exc:
        target.cleanup()
        raise GovsiteError(f"{rev} 中没有 {subdir}", "目标分支上必须有 policies/ 目录。") from exc
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target.name, filter="data")
    return target
