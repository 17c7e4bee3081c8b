"""The git edge: trees, diffs and blobs of the commits a pull request is judged between.

A pull request's files are only ever read as git objects (blobs), never checked out or executed.
Blobs are read through one long-lived `git cat-file --batch` process (GitPython keeps it), by
`<tree>:<path>` names, so reading a file costs a pipe round-trip, not a process or a tree walk.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import git

from govsite.errors import GovsiteError
from govsite.layout import EntryKind, TreeEntry

SUBMISSIONS = "submissions/"
POLICIES = "policies/"

_MODE_KIND = {"100644": EntryKind.FILE, "100755": EntryKind.FILE, "120000": EntryKind.SYMLINK}


@dataclass(frozen=True)
class ChangedFile:
    status: str  # A added, M modified, D deleted, T type changed
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


@dataclass(frozen=True)
class Merge:
    """The tree that merging `head` into `base` would give, or the paths that conflict."""

    tree: str | None
    conflicts: tuple[str, ...] = ()


def merge_tree(repo: git.Repo, base: str, head: str) -> Merge:
    """What main would hold after the merge, computed without touching any work tree
    (`git merge-tree --write-tree`, git 2.38 and later)."""
    command = ["git", "merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", base, head]
    done = subprocess.run(
        command, cwd=repo.working_tree_dir or repo.git_dir, capture_output=True, check=False
    )
    fields = [f for f in done.stdout.decode("utf-8", "replace").split("\0") if f]
    if done.returncode == 0 and fields:
        return Merge(tree=fields[0].strip())
    if done.returncode == 1 and fields:
        return Merge(tree=None, conflicts=tuple(sorted(set(fields[1:]))))
    message = done.stderr.decode("utf-8", "replace").strip()
    if "unrelated histories" in message:
        raise GovsiteError(f"{base} 与 {head} 没有共同祖先", "确认合并请求的目标分支。")
    if "--write-tree" in message or "usage" in message:
        raise GovsiteError(
            "git 版本过旧：govsite check 需要 git 2.38 或更新版本（git merge-tree --write-tree）",
            "升级 git。",
        )
    raise GovsiteError(
        f"无法计算合并结果：{message or done.returncode}", "确认两个提交都已取到本地（git fetch）。"
    )


def changed_files(repo: git.Repo, base: str, head: str, prefix: str = "") -> list[ChangedFile]:
    """Files (under `prefix`) that differ between two commits or trees; a rename is delete + add."""
    args = ["--name-status", "-z", "--no-renames", base, head]
    if prefix:
        args += ["--", prefix]
    output = repo.git.diff(*args)
    fields = [f for f in output.split("\0") if f]
    return [ChangedFile(fields[i][0], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]


@dataclass(frozen=True)
class TreeFile:
    entry: TreeEntry
    blob: str  # object id


def list_tree(repo: git.Repo, treeish: str, prefix: str) -> list[TreeFile]:
    """Every entry below `prefix` with its kind (symlinks and submodules are kinds, never followed)."""
    output = repo.git.ls_tree("-r", "-z", "--full-tree", treeish, "--", prefix)
    files = []
    for record in output.split("\0"):
        if not record:
            continue
        meta, path = record.split("\t", 1)
        mode, _type, blob = meta.split(" ")
        files.append(TreeFile(TreeEntry(path, _MODE_KIND.get(mode, EntryKind.OTHER)), blob))
    return files


def blob_ids(repo: git.Repo, treeish: str, paths: list[str]) -> dict[str, str]:
    """The blob id of each of `paths` that exists at `treeish` (one `git ls-tree`)."""
    if not paths:
        return {}
    output = repo.git.ls_tree("-z", "--full-tree", treeish, "--", *paths)
    found = {}
    for record in output.split("\0"):
        if record:
            meta, path = record.split("\t", 1)
            found[path] = meta.split(" ")[2]
    return found


def list_files(repo: git.Repo, rev: str, prefix: str) -> list[str]:
    return [f.entry.path for f in list_tree(repo, rev, prefix)]


def _plain(path: str) -> bool:
    """A repository-relative path with no "..", ".", empty or absolute part: what a tree can hold."""
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def read_blob(repo: git.Repo, rev: str, path: str) -> bytes | None:
    """The content of `path` at a commit or tree, or None if there is no such file."""
    if not _plain(path):
        return None  # e.g. a material path ../../etc/passwd: never asked of git, never read
    if not path.isprintable():
        # cat-file --batch reads one name per line: a path with a line break in it would break the
        # protocol for every read after it. Such a path is a finding anyway; read it on its own.
        try:
            data: bytes = repo.git.cat_file("blob", f"{rev}:{path}", stdout_as_string=False)
        except git.GitCommandError:
            return None
        return data
    try:
        _sha, kind, _size, data = repo.git.get_object_data(f"{rev}:{path}")
    except ValueError:
        return None
    except OSError:  # the long-lived cat-file process died: start afresh, once, for this read
        repo.git.clear_cache()
        try:
            data = repo.git.cat_file("blob", f"{rev}:{path}", stdout_as_string=False)
        except git.GitCommandError:
            return None
        return data
    return data if kind in (b"blob", "blob") else None


def read_blobs(repo: git.Repo, blobs: list[str]) -> dict[str, bytes]:
    """The content of many blobs by id, in one `git cat-file --batch` pass (what reading a whole
    registry from git costs: one process, one pipe, no tree walk per file)."""
    wanted = sorted({b for b in blobs if len(b) in (40, 64) and all(c in "0123456789abcdef" for c in b)})
    if not wanted:
        return {}
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo.git_dir,
        input="".join(f"{b}\n" for b in wanted).encode(),
        capture_output=True,
        check=False,
    )
    out, found, at = done.stdout, {}, 0
    for blob in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        at = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "<id> missing", or not a blob
        size = int(header[2])
        found[blob] = out[at : at + size]
        at += size + 1
    return found


def grep_files(repo: git.Repo, treeish: str, needle: str, prefix: str) -> list[str]:
    """Paths below `prefix` at `treeish` whose content contains `needle` literally (one `git grep`)."""
    try:
        output = repo.git.grep("-l", "-z", "-F", "-e", needle, treeish, "--", prefix)
    except git.GitCommandError:  # exit 1: nothing found
        return []
    marker = f"{treeish}:"
    return [p.removeprefix(marker) for p in output.split("\0") if p]


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
