"""The maintainer's guide in docs/policy-packs.md, run: every `<!-- guide: NAME write|replace PATH -->`
block is taken from the document as it stands and applied to a real registry, and what the guide
says happens is checked. A guide that stops working fails here, not in a district's hands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import REPO, base_project, git, govsite, init_repo, make_registry

GUIDE = REPO / "docs" / "policy-packs.md"
_BLOCK = re.compile(r"<!-- guide: (\S+) (write|replace) (\S+) -->\n```\w*\n(.*?)```", re.S)
DAY = {"GOVSITE_TODAY": "2026-11-22"}


def steps() -> dict[str, list[tuple[str, str, str]]]:
    found: dict[str, list[tuple[str, str, str]]] = {}
    for name, action, path, body in _BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        found.setdefault(name, []).append((action, path, body))
    return found


def apply(root: Path, name: str) -> None:
    for action, path, body in steps()[name]:
        target = root / path
        if action == "write":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
            continue
        text = target.read_text(encoding="utf-8")
        removed = [line[1:] for line in body.splitlines() if line.startswith("-")]
        added = [line[1:] for line in body.splitlines() if line.startswith("+")]
        for old, new in zip(removed, added, strict=True):
            lines = text.splitlines(keepends=True)
            index = next(i for i, line in enumerate(lines) if line.startswith(old))
            lines[index] = new + "\n"
            text = "".join(lines)
        target.write_text(text, encoding="utf-8")


def test_the_guide_has_its_four_examples() -> None:
    assert set(steps()) == {"add-rule", "change-threshold", "revision", "retire"}


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    itemised = base_project()
    itemised["budget"] = {
        "total": 120,
        "software_development": 100,
        "items": [
            {"name": "业务模块开发", "kind": "software_development", "amount": 100},
            {"name": "系统集成", "kind": "system_integration", "amount": 20},
        ],
    }
    small = base_project(id="MH-2026-002", name="闵行区示例二号业务管理系统建设项目")
    small["budget"] = {"total": 30, "software_development": 30}
    root = make_registry(
        tmp_path / "registry",
        {
            "submissions/minhang/MH-2026-001.yaml": itemised,
            "submissions/minhang/MH-2026-002.yaml": small,
        },
    )
    init_repo(root)
    git(root, "checkout", "-q", "-b", "change")
    return root


def _commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "政策包维护")


def test_adding_a_rule(registry: Path) -> None:
    apply(registry, "add-rule")
    done = govsite("policy", "test", "--pack", "minhang-2025", "--rule", "MH-33", cwd=registry)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 条规则，示例 3 个通过，0 个失败" in done.stdout
    _commit(registry)
    impact = json.loads(
        govsite("policy", "impact", "--base", "main", "--format", "json", cwd=registry, env=DAY).stdout
    )
    # the 120 万元 project's items have no supervision fee; the 30 万元 one is below the threshold
    assert [c["project"] for c in impact["impact"]["changes"]] == ["MH-2026-001"]


def test_changing_a_threshold(registry: Path) -> None:
    apply(registry, "change-threshold")
    done = govsite("policy", "test", "--pack", "minhang-2025", cwd=registry)
    assert done.returncode == 1  # the examples written at 50 万元 say so, as the guide warns
    assert "恰为 50 万元" in done.stdout and "示例位置：" in done.stdout


def test_issuing_a_revision(registry: Path) -> None:
    apply(registry, "revision")
    done = govsite("policy", "test", "--pack", "minhang-2027", cwd=registry)
    assert done.returncode == 0, done.stdout + done.stderr
    handbook = govsite("build", "--markdown-only", cwd=registry, env=DAY)
    assert handbook.returncode == 0, handbook.stderr
    page = (registry / "build" / "docs" / "handbook" / "minhang-2027.md").read_text(encoding="utf-8")
    assert "## 与上一版相比" in page and "| 500 | 800 |" in page


def test_retiring_a_regulation(registry: Path) -> None:
    apply(registry, "retire")
    assert govsite("policy", "test", "--pack", "qingpu-2024", cwd=registry).returncode == 0
    project = (REPO / "policies" / "qingpu-2024" / "examples" / "base.yaml").read_text(encoding="utf-8")
    late = re.sub(r"date: 20\d\d-\d\d-\d\d", "date: 2027-01-05", project).replace(
        "id: QP-2025-001", "id: QP-2027-001"
    )
    (registry / "submissions" / "qingpu").mkdir()
    (registry / "submissions" / "qingpu" / "QP-2027-001.yaml").write_text(late, encoding="utf-8")
    done = govsite(
        "validate",
        "--format",
        "json",
        "submissions/qingpu",
        cwd=registry,
        env={"GOVSITE_TODAY": "2027-01-06"},
    )
    messages = [f["message"] for p in json.loads(done.stdout)["projects"] for f in p["findings"]]
    assert any("没有适用的政策" in m and "2026-12-31" in m for m in messages), messages
