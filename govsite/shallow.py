"""Getting the commits `govsite check` needs into a clone that lacks them.

Forges clone shallowly, and often only the pull request's branch: GitHub's, Forgejo's and Gitea's
`actions/checkout` fetch one commit, GitLab CI fetches `GIT_DEPTH` (20) commits. `--base` then names
a ref the clone does not have, and the merge base of base and head lies below the shallow boundary.
What is missing, and only that, is fetched from the repository's remote:

1. `--base` (or `--head`) if it does not resolve locally. `origin/main` is `main` fetched from
   `origin` into `refs/remotes/origin/main`; a bare `main` with no such local branch is
   `refs/remotes/<remote>/main`, fetched there if absent; a tag goes to `refs/tags/`; a full commit
   id is fetched by id (no ref written). The remote is the one named, else the current branch's
   upstream, else `origin`, else the only remote. In a shallow clone the fetch is `--depth=1`
   (a commit already present is not fetched again: that would cut the history below it).
2. In a shallow clone, while base and head have no common ancestor in what has been fetched:
   `git fetch --deepen=N` of the two commits, N growing (`DEEPEN_STEPS`), then `--unshallow`.

A fetch writes objects, `.git/shallow` and remote-tracking refs or tags; never the work tree, the
index, a local branch or FETCH_HEAD. When it cannot be done (no remote, offline, refused), the
error names the ref and says what to set in CI (`_ADVICE`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import git

from govsite.errors import GovsiteError

# Commits by which a shallow history is deepened, one fetch each, before `--unshallow`.
DEEPEN_STEPS = (25, 100, 400, 1600)

_FULL_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_SHORT_ID = re.compile(r"[0-9a-f]{4,63}")


def _advice(fetch: str | None) -> str:
    by_hand = "git fetch --unshallow（浅克隆）" + (f"，{fetch}" if fetch else "")
    return (
        "govsite check 需要目标分支（--base）、合并请求的提交（--head）和两者的共同祖先都在本地仓库中。"
        "在 CI 中取得完整历史：\n"
        "    GitHub、Forgejo、Gitea：actions/checkout 设置 with: fetch-depth: 0\n"
        '    GitLab CI：设置 variables: GIT_DEPTH: 0（或 GIT_DEPTH: "0"）；--base 写目标分支 '
        '"$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"（合并结果流水线可写 "$CI_MERGE_REQUEST_TARGET_BRANCH_SHA"，'
        "不要用分支开始处的提交）\n"
        f"    手工取得：{by_hand}"
    )


class _FetchFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Source:
    """Where a ref the clone lacks comes from: `want` (a full ref name or commit id) on `remote`,
    written to `into` (a remote-tracking ref or tag; None for a commit id)."""

    remote: str
    want: str
    into: str | None

    @property
    def by_hand(self) -> str:
        name = self.want.removeprefix("refs/heads/").removeprefix("refs/tags/")
        return f"git fetch {self.remote} {name}"


@dataclass
class _Clone:
    repo: git.Repo
    log: Callable[[str], None]
    remotes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.remotes = [r.name for r in self.repo.remotes]

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["git", *args],
            cwd=self.repo.working_tree_dir or self.repo.git_dir,
            capture_output=True,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for a password
        )

    def commit(self, rev: str) -> str | None:
        """The commit `rev` names here, or None."""
        done = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        found = done.stdout.decode().strip()
        return found if done.returncode == 0 and found else None

    def has_object(self, sha: str) -> bool:
        return self.run("cat-file", "-e", f"{sha}^{{commit}}").returncode == 0

    def shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").stdout.strip() == b"true"

    def merge_base(self, base: str, head: str) -> bool:
        return self.run("merge-base", base, head).returncode == 0

    def default_remote(self) -> str | None:
        try:
            tracking = self.repo.active_branch.tracking_branch()
        except TypeError:  # a detached HEAD, as forges check out
            tracking = None
        if tracking is not None and tracking.remote_name in self.remotes:
            return str(tracking.remote_name)
        if "origin" in self.remotes:
            return "origin"
        return self.remotes[0] if len(self.remotes) == 1 else None

    def remote_refs(self, remote: str, *patterns: str) -> dict[str, str]:
        """Ref name → commit id on `remote` (`git ls-remote`)."""
        done = self.run("ls-remote", "--refs", "--", remote, *patterns)
        if done.returncode != 0:
            raise _FetchFailed(_last_line(done.stderr))
        refs = {}
        for line in done.stdout.decode("utf-8", "replace").splitlines():
            sha, _, name = line.partition("\t")
            refs[name] = sha
        return refs

    def fetch(self, why: str, remote: str, options: list[str], wants: list[str]) -> None:
        command = [
            "fetch",
            "--no-tags",
            "--no-recurse-submodules",
            "--no-write-fetch-head",
            "--no-auto-gc",
            *options,
            "--",
            remote,
            *wants,
        ]
        shown = ["fetch", "--no-tags", *options, remote, *wants]  # without the flags that only keep it quiet
        self.log(f"govsite：{why}：git {' '.join(shown)}")
        done = self.run(*command)
        if done.returncode != 0:
            raise _FetchFailed(_last_line(done.stderr))


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or ["git 没有给出原因"])[0]


def _branch_name(clone: _Clone, name: str) -> bool:
    return bool(name) and clone.run("check-ref-format", f"refs/heads/{name}").returncode == 0


def _named_source(clone: _Clone, rev: str) -> _Source | None:
    """The remote ref `rev` stands for when it spells one: `origin/main`, `refs/remotes/origin/main`,
    `refs/heads/main`, `refs/tags/v1`. None for a bare name or anything else."""
    path = rev.removeprefix("refs/remotes/")
    for remote in sorted(clone.remotes, key=len, reverse=True):
        branch = path.removeprefix(f"{remote}/")
        if branch != path and _branch_name(clone, branch):
            return _Source(remote, f"refs/heads/{branch}", f"refs/remotes/{remote}/{branch}")
    default = clone.default_remote()
    if default is None:
        return None
    for prefix, into in (("refs/heads/", f"refs/remotes/{default}/"), ("refs/tags/", "refs/tags/")):
        name = rev.removeprefix(prefix)
        if name != rev and _branch_name(clone, name):
            return _Source(default, rev, into + name)
    return None


def _get(clone: _Clone, source: _Source, rev: str) -> str:
    """Fetch one remote ref (by name) or commit (by id) and return its commit id."""
    if source.into is None:
        options = ["--depth=1"] if clone.shallow() else []
        clone.fetch(f"本地没有提交 {rev}，从 {source.remote} 取得", source.remote, options, [source.want])
        return clone.commit(source.want) or ""
    remote_ref = clone.remote_refs(source.remote, source.want).get(source.want)
    if remote_ref is None:
        raise _FetchFailed(f"远程仓库 {source.remote} 上没有 {source.want}")
    if clone.has_object(remote_ref):
        # Present already (an ancestor of head, say): only the ref is written. Fetching it with
        # --depth=1 would make it a shallow boundary and cut the history below it.
        clone.run("update-ref", source.into, remote_ref)
    else:
        options = ["--depth=1"] if clone.shallow() else []
        why = f"本地没有 {rev}，从 {source.remote} 取得"
        clone.fetch(why, source.remote, options, [f"+{source.want}:{source.into}"])
    return clone.commit(source.into) or ""


def _bare_name(clone: _Clone, rev: str, remote: str) -> _Source | None:
    """A bare branch or tag name: the remote's tag or branch of that name (git's order: tags
    first). None if neither."""
    if not _branch_name(clone, rev):
        return None
    tracking = f"refs/remotes/{remote}/{rev}"
    refs = clone.remote_refs(remote, f"refs/tags/{rev}", f"refs/heads/{rev}")
    if f"refs/tags/{rev}" in refs:
        return _Source(remote, f"refs/tags/{rev}", f"refs/tags/{rev}")
    if f"refs/heads/{rev}" in refs:
        return _Source(remote, f"refs/heads/{rev}", tracking)
    return None


def _abbreviated(clone: _Clone, rev: str, remote: str) -> _Source | None:
    """An abbreviated commit id that is the tip of one of the remote's branches or tags."""
    if not _SHORT_ID.fullmatch(rev.lower()):
        return None
    tips = set(clone.remote_refs(remote, "refs/heads/*", "refs/tags/*").values())
    matching = sorted(sha for sha in tips if sha.startswith(rev.lower()))
    return _Source(remote, matching[0], None) if len(matching) == 1 else None


def _missing(rev: str, reason: str, fetch: str) -> GovsiteError:
    return GovsiteError(f"找不到提交 {rev!r}：{reason}", "确认分支名或提交号。" + _advice(fetch))


def _ensure(clone: _Clone, rev: str, deepen_from: str | None = None) -> str:
    """The commit `rev` names, fetched if the clone lacks it. An abbreviated id that is no remote tip
    may be an old commit of head's: a shallow history below `deepen_from` is deepened to find it."""
    found = clone.commit(rev)
    if found:
        return found
    if rev.startswith("-"):
        raise _missing(rev, "这不是分支名或提交号", "git fetch origin main")
    source = _named_source(clone, rev)
    remote = source.remote if source else clone.default_remote()
    if remote is None:
        why = "本地没有这个分支、标签或提交，仓库也没有可以从中取得的远程仓库（git remote）"
        if clone.remotes:
            why = f"本地没有这个分支、标签或提交，有多个远程仓库（{'、'.join(clone.remotes)}），请写成 远程名/分支名"
        raise _missing(rev, why, "git fetch origin main")
    by_hand = source.by_hand if source else f"git fetch {remote} {rev}"
    if source is None and _branch_name(clone, rev):
        found = clone.commit(f"refs/remotes/{remote}/{rev}")  # `main` as `git checkout main` takes it
        if found:
            return found
    try:
        if source is None and _FULL_ID.fullmatch(rev.lower()):
            source = _Source(remote, rev.lower(), None)
        if source is None:
            source = _bare_name(clone, rev, remote) or _abbreviated(clone, rev, remote)
        if source is not None:
            by_hand = source.by_hand
            found = _get(clone, source, rev)
        elif deepen_from is not None and _SHORT_ID.fullmatch(rev.lower()) and clone.shallow():
            why = f"本地没有提交 {rev}，加深历史"
            _deepen(clone, why, remote, [deepen_from], lambda: bool(clone.commit(rev)))
            found = clone.commit(rev)
    except _FetchFailed as failed:
        raise _missing(rev, f"本地没有，从远程仓库 {remote} 取得失败（{failed.reason}）", by_hand) from failed
    if not found:
        raise _missing(rev, f"本地没有，远程仓库 {remote} 上也没有这个分支、标签或提交", by_hand)
    return found


def _deepen(clone: _Clone, why: str, remote: str, wants: list[str], done: Callable[[], bool]) -> bool:
    """Deepen the shallow history below `wants` step by step, then in full, until `done()`.
    False if the history is complete and still not done (raises _FetchFailed if a fetch fails)."""
    for step in DEEPEN_STEPS:
        if not clone.shallow():
            return done()
        clone.fetch(why, remote, [f"--deepen={step}"], wants)
        if done():
            return True
    if clone.shallow():
        clone.fetch(why, remote, ["--unshallow"], wants)
    return done()


def commits_for_check(
    repo: git.Repo, base: str, head: str, log: Callable[[str], None] | None = None
) -> tuple[str, str]:
    """The commit ids of `base` and `head`, with what judging the merge needs fetched: both commits
    and, in a shallow clone, enough history to reach their merge base. In a complete clone base and
    head may still have no common ancestor; `merge_tree` says so."""
    clone = _Clone(repo, log or (lambda line: print(line, file=sys.stderr)))
    head_sha = _ensure(clone, head)
    base_sha = _ensure(clone, base, deepen_from=head_sha)
    if clone.merge_base(base_sha, head_sha) or not clone.shallow():
        return base_sha, head_sha
    named = _named_source(clone, base)
    remote = named.remote if named else clone.default_remote()
    by_hand = named.by_hand if named else None
    problem = f"这是浅克隆（shallow clone），{base} 与 {head} 的共同祖先不在已取得的历史中"
    if remote is None:
        raise GovsiteError(f"{problem}，仓库也没有可以从中加深历史的远程仓库", _advice(by_hand))
    why = f"浅克隆中还没有 {base} 与 {head} 的共同祖先，加深历史"
    try:
        _deepen(clone, why, remote, [base_sha, head_sha], lambda: clone.merge_base(base_sha, head_sha))
    except _FetchFailed as failed:
        raise GovsiteError(
            f"{problem}，从远程仓库 {remote} 加深历史失败（{failed.reason}）", _advice(by_hand)
        ) from failed
    return base_sha, head_sha
