"""Shared helpers for tests: real registries and real git repositories in temporary folders."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
POLICIES = REPO / "policies"
MINHANG_BASE = POLICIES / "minhang-2025" / "examples" / "base.yaml"


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False)


def base_project(**overrides: Any) -> dict[str, Any]:
    data = yaml.safe_load(MINHANG_BASE.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


def make_registry(root: Path, projects: dict[str, dict[str, Any]] | None = None) -> Path:
    """A registry folder with the repository's policies and the given projects (path → data)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(POLICIES, root / "policies", dirs_exist_ok=True)
    for relative, data in (projects or {}).items():
        write_project(root, relative, data)
    return root


def write_project(root: Path, relative: str, data: dict[str, Any] | str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else dump_yaml(data), encoding="utf-8")
    return path


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "测试部门",
        "GIT_AUTHOR_EMAIL": "dept@example.invalid",
        "GIT_COMMITTER_NAME": "测试部门",
        "GIT_COMMITTER_EMAIL": "dept@example.invalid",
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def init_repo(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始登记")


def one_change_pull_request(
    tmp_path: Path, relative: str, base: dict[str, Any], head: dict[str, Any]
) -> Path:
    """A registry whose main holds `base` at `relative`, and a branch `pr` that changes it to `head`."""
    root = make_registry(tmp_path / "registry", {relative: base})
    init_repo(root)
    git(root, "checkout", "-q", "-b", "pr")
    write_project(root, relative, head)
    git(root, "commit", "-q", "-am", "推进阶段")
    return root


def govsite(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as CI and departments do."""
    return subprocess.run(
        [sys.executable, "-m", "govsite", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
