"""Exit codes and messages of the command line (0 clean, 1 findings, 2 usage or internal error)."""

from __future__ import annotations

import json
from pathlib import Path

from support import REPO, base_project, dump_yaml, govsite, make_registry


def test_clean_registry_exits_0(tmp_path: Path) -> None:
    root = make_registry(tmp_path, {"submissions/minhang/MH-2026-001.yaml": base_project()})
    done = govsite("validate", "--today", "2025-12-02", cwd=root)
    assert done.returncode == 0, done.stdout
    assert done.stdout.endswith("检查了 1 个项目文件：0 个错误，0 个警告 —— 通过\n")


def test_unknown_command_exits_2() -> None:
    done = govsite("frobnicate", cwd=REPO)
    assert done.returncode == 2


def test_bad_date_exits_2() -> None:
    done = govsite("validate", "--today", "2026-13-01", cwd=REPO)
    assert done.returncode == 2
    assert "日期格式应为 YYYY-MM-DD" in done.stderr


def test_bad_pinned_date_exits_2() -> None:
    done = govsite("validate", cwd=REPO, env={"GOVSITE_TODAY": "明天"})
    assert done.returncode == 2
    assert "GOVSITE_TODAY" in done.stderr


def test_missing_path_exits_2(tmp_path: Path) -> None:
    root = make_registry(tmp_path)
    done = govsite("validate", "submissions/nowhere.yaml", cwd=root)
    assert done.returncode == 2
    assert "找不到" in done.stderr


def test_missing_policies_exits_2(tmp_path: Path) -> None:
    done = govsite("validate", "--policies", "rules", cwd=tmp_path)
    assert done.returncode == 2
    assert "找不到政策目录" in done.stderr and "rules" in done.stderr


def test_a_registry_without_policies_uses_the_packs_govsite_ships(tmp_path: Path) -> None:
    """No policies/ folder: the five shipped packs judge (a registry need not copy them)."""
    data = base_project()
    (tmp_path / "submissions" / "minhang").mkdir(parents=True)
    (tmp_path / "submissions" / "minhang" / "MH-2026-001.yaml").write_text(dump_yaml(data), encoding="utf-8")
    done = govsite("validate", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["projects"][0]["policy"]["id"] == "minhang-2025"


def test_no_submissions_folder_is_a_usage_error(tmp_path: Path) -> None:
    done = govsite("validate", cwd=tmp_path)
    assert done.returncode == 2
    assert "找不到" in done.stderr and "submissions" in done.stderr


def test_fail_on_warning(tmp_path: Path) -> None:
    data = base_project()
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    root = make_registry(tmp_path, {"submissions/minhang/MH-2026-001.yaml": data})
    # no requirement record: a warning (第九条), not an error
    assert govsite("validate", "--today", "2026-03-03", cwd=root).returncode == 0
    assert govsite("validate", "--today", "2026-03-03", "--fail-on", "warning", cwd=root).returncode == 1


def test_new_writes_a_declaration_to_fill_in(tmp_path: Path) -> None:
    root = make_registry(tmp_path)
    first = govsite("new", "--district", "minhang", "--today", "2026-06-01", cwd=root)
    second = govsite("new", "--district", "minhang", "--today", "2026-06-01", cwd=root)
    assert first.returncode == 0 and second.returncode == 0
    assert (root / "submissions/minhang/MH-2026-002.yaml").exists()
    text = (root / "submissions/minhang/MH-2026-001.yaml").read_text(encoding="utf-8")
    assert "# 项目单位" in text  # the template's guidance survives
    done = govsite("validate", "--today", "2026-06-02", "--format", "json", cwd=root)
    import json

    findings = [f for p in json.loads(done.stdout)["projects"] for f in p["findings"]]
    assert findings and {f["rule"] for f in findings} == {"template"}, done.stdout  # only "fill this in"
    again = govsite("new", "--district", "minhang", "--id", "MH-2026-001", cwd=root)
    assert again.returncode == 2 and "已存在，不会覆盖" in again.stderr


def test_policy_test_command_passes_on_the_repository() -> None:
    done = govsite("policy", "test", cwd=REPO)
    assert done.returncode == 0, done.stdout
    assert done.stdout.rstrip().endswith("，0 个失败；规则检查 0 个问题")
