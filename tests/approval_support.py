"""A registry with real reviewers, real SSH keys (made here) and pull requests merged as on a forge.

`Registry` drives the real CLI in a real git repository: a department opens a pull request (a
branch), reviewers run `govsite approve` with their own keys and commit the statement to the
branch, and the branch is merged into main (squash, merge commit or rebase), as the forge would.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from support import base_project, dump_yaml, git, govsite, make_registry, write_project

DEPARTMENT = "dept@example.gov.cn"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    key: Path  # private key; the public one is key + ".pub"
    login: str = ""

    @property
    def public(self) -> str:
        return Path(f"{self.key}.pub").read_text(encoding="ascii").strip()


def make_key(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / name
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
        )
    return key


def people(folder: Path) -> dict[str, Person]:
    return {
        p.id: p
        for p in (
            Person("zhang.san", "张三", "zhang@data.example.gov.cn", make_key(folder, "zhang"), "zhangsan"),
            Person("li.si", "李四", "li@finance.example.gov.cn", make_key(folder, "li"), "lisi"),
            Person("zhao.liu", "赵六", "zhao@unit.example.gov.cn", make_key(folder, "zhao"), "zhaoliu"),
            Person("wang.wu", "王五", "wang@it.example.gov.cn", make_key(folder, "wang"), "wangwu"),
            Person("qian.qi", "钱七", "qian@other.example.gov.cn", make_key(folder, "qian"), "qianqi"),
        )
    }


def reviewers_yaml(
    team: dict[str, Person], roles: dict[str, Any], recorder: Path | None = None, outsider: bool = False
) -> str:
    data: dict[str, Any] = {
        "maintainers": {"name": "维护人员", "forge": {"github": "@gov/maintainers"}, "people": ["wang.wu"]},
        "people": [
            {
                "id": p.id,
                "name": p.name,
                "emails": [p.email],
                "forge": {"github": p.login},
                "keys": [p.public],
            }
            for p in team.values()
            if p.id != "qian.qi" or outsider  # an outsider: not in the file
        ],
        "roles": roles,
    }
    if recorder is not None:
        data["recorder"] = {"keys": [Path(f"{recorder}.pub").read_text(encoding="ascii").strip()]}
    return dump_yaml(data)


MINHANG_ROLES: dict[str, Any] = {
    "minhang": {
        "data_bureau": ["zhang.san"],
        "finance_bureau": ["li.si"],
        "budget_authority": {"区示例局": ["zhao.liu"]},
    }
}


def declaration(project_id: str = "MH-2026-002", **extra: Any) -> dict[str, Any]:
    data = base_project(id=project_id, **extra)
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    data["stage"] = "declared"
    return data


@dataclass
class Registry:
    root: Path
    team: dict[str, Person]
    today: str = "2026-03-10"
    clock: list[int] = field(default_factory=lambda: [0])

    def commit(self, message: str, email: str = DEPARTMENT) -> None:
        git(self.root, "add", "-A")
        as_author(self.root, email, "commit", "-q", "-m", message)

    def pull_request(self, branch: str, change: Callable[[Path], None], email: str = DEPARTMENT) -> None:
        git(self.root, "checkout", "-q", "-B", branch, "main")
        change(self.root)
        self.commit(f"{branch}", email)

    def write(self, relative: str, data: dict[str, Any] | str) -> None:
        write_project(self.root, relative, data)

    def now(self) -> str:
        """A later time for every approval, so that the latest decision is well defined."""
        self.clock[0] += 1
        return f"2026-03-04T{9 + self.clock[0] // 60:02d}:{self.clock[0] % 60:02d}:00+08:00"

    def approve(
        self,
        target: str,
        role: str,
        person: str,
        decision: str = "approve",
        key: Path | None = None,
        commit: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        who = self.team[person]
        done = govsite(
            "approve",
            target,
            "--role",
            role,
            "--as",
            person,
            "--key",
            str(key or who.key),
            "--base",
            "main",
            "--decision",
            decision,
            "--today",
            self.today,
            "--opinion",
            "同意。",
            cwd=self.root,
            env={"GOVSITE_NOW": self.now()},
        )
        if done.returncode == 0 and commit:
            self.commit(f"审批 {target}", who.email)
        return done

    def check(self, *extra: str) -> tuple[int, dict[str, Any]]:
        done = govsite(
            "check", "--base", "main", "--format", "json", "--today", self.today, *extra, cwd=self.root
        )
        assert done.returncode in (0, 1), done.stderr
        return done.returncode, json.loads(done.stdout)

    def required(self, target: str) -> list[str]:
        _, report = self.check()
        [result] = [p for p in report["projects"] if target in (p["project"], p["path"])]
        return [r["role"] for r in result["decision"]["roles"]]

    def merge(self, branch: str, how: str = "squash") -> None:
        git(self.root, "checkout", "-q", "main")
        if how == "squash":
            # as GitHub squashes: authored by the pull request's author, the others as co-authors
            authors = git(self.root, "log", "--format=%ae", f"main..{branch}").split()
            opener, others = authors[-1], sorted(set(authors) - {authors[-1]})
            trailers = "".join(f"\nCo-authored-by: 某人 <{email}>" for email in others)
            git(self.root, "merge", "-q", "--squash", branch)
            git(self.root, "add", "-A")
            as_author(self.root, opener, "commit", "-q", "-m", f"{branch}（squash）\n{trailers}")
        elif how == "merge":
            git(
                self.root,
                "-c",
                "user.email=merger@forge.example",
                "merge",
                "-q",
                "--no-ff",
                branch,
                "-m",
                f"合并 {branch}",
            )
        else:
            git(self.root, "checkout", "-q", branch)
            git(self.root, "rebase", "-q", "main")
            git(self.root, "checkout", "-q", "main")
            git(self.root, "merge", "-q", "--ff-only", branch)

    def audit(self) -> tuple[int, dict[str, Any], str]:
        text = govsite("audit", "--branch", "main", cwd=self.root)
        done = govsite("audit", "--branch", "main", "--format", "json", cwd=self.root)
        assert done.returncode in (0, 1), done.stderr
        return done.returncode, json.loads(done.stdout), text.stdout


def as_author(root: Path, email: str, *args: str) -> None:
    """A git command whose commits are authored and committed by `email`."""
    import os

    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "某人",
        "GIT_COMMITTER_NAME": "某人",
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_EMAIL": email,
    }
    subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)


def new_registry(
    root: Path, keys: Path, roles: dict[str, Any] | None = None, recorder: Path | None = None
) -> Registry:
    team = people(keys)
    make_registry(root)
    (root / "reviewers.yaml").write_text(
        reviewers_yaml(team, roles or MINHANG_ROLES, recorder), encoding="utf-8"
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "config", "user.name", "测试")
    git(root, "config", "user.email", "setup@example.gov.cn")
    registry = Registry(root, team)
    registry.commit("设立登记册", "setup@example.gov.cn")
    return registry


def advanced(data: dict[str, Any], stage: str, date: str, **extra: Any) -> dict[str, Any]:
    data = yaml.safe_load(dump_yaml(data))
    data["stages"].append({"stage": stage, "date": date, **extra})
    data["stage"] = stage
    return data
