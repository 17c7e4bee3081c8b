"""One district's broken pack is a finding for that district's projects; every other district is
judged exactly as before (validate, check and build)."""

from __future__ import annotations

import json
from pathlib import Path

from support import POLICIES, base_project, dump_yaml, git, govsite, make_registry

DAY = {"GOVSITE_TODAY": "2026-11-22"}


def _qingpu_project() -> dict[str, object]:
    import yaml

    return yaml.safe_load((POLICIES / "qingpu-2024" / "examples" / "base.yaml").read_text(encoding="utf-8"))


def _registry(tmp_path: Path) -> Path:
    return make_registry(
        tmp_path / "registry",
        {
            "submissions/minhang/MH-2026-001.yaml": base_project(),
            "submissions/qingpu/QP-2025-001.yaml": _qingpu_project(),
        },
    )


def _break_qingpu(root: Path) -> None:
    rule = root / "policies" / "qingpu-2024" / "rules" / "QP-01.yaml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(
        text.replace("applies:", "applies: 'project.type ==' &&", 1)
        if "applies:" in text
        else text + "\napplies: 'project.type =='\n",
        encoding="utf-8",
    )


def _by_path(stdout: str) -> dict[str, dict[str, object]]:
    return {p["path"]: p for p in json.loads(stdout)["projects"]}


def test_a_broken_pack_leaves_the_other_districts_validation_unchanged(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    healthy = govsite("validate", "--format", "json", cwd=root, env={**DAY, "GOVSITE_NO_CACHE": "1"})
    _break_qingpu(root)
    broken = govsite("validate", "--format", "json", cwd=root, env={**DAY, "GOVSITE_NO_CACHE": "1"})
    assert broken.returncode == 1, broken.stderr
    before, after = _by_path(healthy.stdout), _by_path(broken.stdout)
    assert after["submissions/minhang/MH-2026-001.yaml"] == before["submissions/minhang/MH-2026-001.yaml"]
    qingpu = after["submissions/qingpu/QP-2025-001.yaml"]
    messages = [f["message"] for f in qingpu["findings"]]  # type: ignore[union-attr]
    assert len(messages) == 1 and messages[0].startswith("青浦区的政策包有错误，本项目没有按政策检查")
    assert "QP-01.yaml" in messages[0]
    notes = json.loads(broken.stdout)["notes"]
    assert any("青浦区的政策包有错误" in n and "其他区照常" in n for n in notes)
    # the text output says where, too; the maintainers' tool stops on it
    text = govsite("validate", cwd=root, env=DAY)
    assert "QP-2025-001.yaml" in text.stdout and "govsite policy test" in text.stdout
    strict = govsite("policy", "test", cwd=root, env=DAY)
    assert strict.returncode == 1 and "ERROR 政策包" in strict.stdout and "QP-01.yaml" in strict.stdout
    assert "1 个政策包有错误" in strict.stdout  # the other four packs' examples still ran


def test_check_under_a_broken_base_pack_judges_the_other_districts(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    _break_qingpu(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "登记册")
    git(root, "checkout", "-q", "-b", "pr")
    data = base_project(id="MH-2026-002", name="闵行区示例二期业务管理系统建设项目")
    (root / "submissions" / "minhang" / "MH-2026-002.yaml").write_text(dump_yaml(data), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "申报")
    done = govsite("check", "--base", "main", "--format", "json", cwd=root, env=DAY)
    assert done.returncode in (0, 1), done.stderr
    result = _by_path(done.stdout)["submissions/minhang/MH-2026-002.yaml"]
    assert result["policy"]["id"] == "minhang-2025"  # type: ignore[index]
    assert not any("政策包有错误" in f["message"] for f in result["findings"])  # type: ignore[union-attr]
