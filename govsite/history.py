"""The main branch's history in one pass: each first-parent commit and the files it changed.

One `git log --first-parent --raw -z` process for the whole history (never a process per commit or
per file): for each commit, its first parent (the base it was merged onto), time, author and, per
changed path, the blob before and after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import git

NULL = "0" * 40


@dataclass(frozen=True)
class FileChange:
    path: str
    before: str  # blob id, NULL when added
    after: str  # blob id, NULL when deleted
    status: str  # A M D T


@dataclass(frozen=True)
class Merge:
    commit: str
    parent: str | None  # the first parent: what the change was merged onto
    time: dt.datetime
    author: str  # e-mail
    changes: tuple[FileChange, ...]
    merged_branch: bool = False  # a merge commit (two parents)


def first_parent_history(repo: git.Repo, branch: str, paths: list[str]) -> list[Merge]:
    """Oldest first."""
    output = repo.git.log(
        "--first-parent",
        "--reverse",
        "--no-abbrev",
        "--raw",
        "-z",
        "--no-renames",
        "--diff-merges=first-parent",
        "--format=%x01%H%x00%P%x00%ct%x00%ae",
        branch,
        "--",
        *paths,
    )
    merges = []
    for record in output.split("\x01"):
        if not record:
            continue
        tokens = record.split("\0")
        commit, parents, stamp, author = tokens[:4]
        parent_list = parents.split()
        changes = []
        rest = tokens[4:]
        index = 0
        while index + 1 < len(rest):
            meta = rest[index].lstrip("\n")
            if not meta.startswith(":"):
                index += 1
                continue
            _old_mode, _new_mode, before, after, status = meta[1:].split(" ")[:5]
            changes.append(FileChange(rest[index + 1], before, after, status[0]))
            index += 2
        merges.append(
            Merge(
                commit=commit,
                parent=parent_list[0] if parent_list else None,
                time=dt.datetime.fromtimestamp(int(stamp), dt.UTC),
                author=author,
                changes=tuple(changes),
                merged_branch=len(parent_list) > 1,
            )
        )
    return merges


def authors_of(repo: git.Repo, merge: Merge, path: str) -> list[str]:
    """Who wrote the merged version of `path`: for a squash or rebase merge the commit's author (on
    GitHub a squash is authored by whoever opened the pull request; its co-authors include the
    reviewers who committed their approvals, so they are not counted); for
    a merge commit (whose author is whoever merged) the authors of the merged branch's commits that
    changed `path`, approvals committed to the branch not counting."""
    if not merge.merged_branch:
        return [merge.author]
    try:
        output = str(
            repo.git.log("--format=%ae", f"{merge.parent}..{merge.commit}", "--no-merges", "--", path)
        )
    except git.GitCommandError:
        return [merge.author]
    return output.split()
