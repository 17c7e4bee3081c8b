"""A registry's own files and configuration over what govsite ships (govsite/resources.py):
govsite.toml or [tool.govsite], the districts it serves, its own packs, templates and mkdocs.yml.
Each runs the real CLI in a subprocess against a registry without this repository's folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import REPO, base_project, dump_yaml, govsite

FIXTURES = Path(__file__).parent / "fixtures"
DAY = {"GOVSITE_TODAY": "2026-11-22"}


def registry(tmp_path: Path, config: str | None = None, pyproject: str | None = None) -> Path:
    """A registry with one 闵行 declaration and one 徐汇 one (the test's sixth district), no policies/."""
    root = tmp_path / "registry"
    project = base_project()
    (root / "submissions" / "minhang").mkdir(parents=True)
    (root / "submissions" / "minhang" / "MH-2026-001.yaml").write_text(dump_yaml(project), encoding="utf-8")
    if config is not None:
        (root / "govsite.toml").write_text(config, encoding="utf-8")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def with_sixth_district(root: Path) -> Path:
    shutil.copytree(FIXTURES / "sixth_district" / "policies", root / "policies")
    xuhui = (FIXTURES / "sixth_district" / "policies" / "xuhui-2026" / "examples" / "base.yaml").read_text(
        encoding="utf-8"
    )
    (root / "submissions" / "xuhui").mkdir(parents=True)
    (root / "submissions" / "xuhui" / "XH-2026-001.yaml").write_text(xuhui, encoding="utf-8")
    return root


def validate_json(root: Path, *args: str) -> dict[str, object]:
    done = govsite("validate", "--format", "json", *args, cwd=root, env=DAY)
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def findings_of(result: dict[str, object], path: str) -> list[str]:
    projects = result["projects"]
    assert isinstance(projects, list)
    return [f["message"] for p in projects if p["path"] == path for f in p["findings"]]


def test_the_registrys_own_pack_adds_a_district_next_to_the_shipped_ones(tmp_path: Path) -> None:
    root = with_sixth_district(registry(tmp_path))
    result = validate_json(root)
    policies = {p["path"]: (p["policy"] or {}).get("id") for p in result["projects"]}  # type: ignore[union-attr]
    assert policies == {
        "submissions/minhang/MH-2026-001.yaml": "minhang-2025",
        "submissions/xuhui/XH-2026-001.yaml": "xuhui-2026",
    }
    schema = govsite("schema", cwd=root, env=DAY)
    assert schema.returncode == 0, schema.stderr
    common = json.loads((root / "schema" / "project.schema.json").read_text(encoding="utf-8"))
    assert "xuhui" in common["properties"]["district"]["enum"]
    xuhui = json.loads((root / "schema" / "xuhui.schema.json").read_text(encoding="utf-8"))
    assert xuhui["properties"]["id"]["pattern"] == "^XH-[0-9]{4}-[0-9]{3,4}$"
    assert xuhui["properties"]["district"]["description"] == "徐汇区"


def test_districts_in_the_configuration_limit_the_packs(tmp_path: Path) -> None:
    root = with_sixth_district(registry(tmp_path, '[registry]\ndistricts = ["xuhui"]\n'))
    result = validate_json(root)
    messages = findings_of(result, "submissions/minhang/MH-2026-001.yaml")
    assert any("本登记册没有“minhang”这个区" in m and "xuhui（徐汇区）" in m for m in messages)
    assert findings_of(result, "submissions/xuhui/XH-2026-001.yaml") == []
    new = govsite("new", "--district", "minhang", cwd=root, env=DAY)
    assert new.returncode == 2 and "本登记册没有区 'minhang' 的政策包" in new.stderr


def test_pyproject_tool_govsite_configures_like_govsite_toml(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "x"\n\n[tool.govsite.registry]\ndistricts = ["xuhui"]\n'
    root = with_sixth_district(registry(tmp_path, pyproject=pyproject))
    messages = findings_of(validate_json(root), "submissions/minhang/MH-2026-001.yaml")
    assert any("本登记册没有“minhang”这个区" in m for m in messages)


def test_configuring_govsite_twice_or_with_a_typo_is_refused(tmp_path: Path) -> None:
    both = registry(tmp_path, "[registry]\n", pyproject="[tool.govsite.site]\nname = 'x'\n")
    done = govsite("validate", cwd=both, env=DAY)
    assert done.returncode == 2 and "都在配置 govsite" in done.stderr
    (both / "pyproject.toml").unlink()
    (both / "govsite.toml").write_text('[registery]\ndistricts = ["minhang"]\n', encoding="utf-8")
    done = govsite("validate", cwd=both, env=DAY)
    assert done.returncode == 2 and "不认识的设置 registery" in done.stderr
    (both / "govsite.toml").write_text('[registry]\ndistricts = ["nowhere"]\n', encoding="utf-8")
    done = govsite("validate", cwd=both, env=DAY)
    assert done.returncode == 2 and "nowhere 没有政策包" in done.stderr


@pytest.mark.parametrize(
    ("policy_yaml", "expected"),
    [
        ("district_name: 徐汇区\n", "district_name 和 id_prefix 要一起写"),
        ("", "没有写区名和编号前缀"),
        ("district_name: 徐汇区\nid_prefix: MH\n", "编号前缀 MH 被"),
    ],
)
def test_a_new_districts_name_and_prefix_are_checked(tmp_path: Path, policy_yaml: str, expected: str) -> None:
    root = with_sixth_district(registry(tmp_path))
    policy = root / "policies" / "xuhui-2026" / "policy.yaml"
    text = policy.read_text(encoding="utf-8").replace("district_name: 徐汇区\nid_prefix: XH\n", policy_yaml)
    policy.write_text(text, encoding="utf-8")
    done = govsite("validate", cwd=root, env=DAY)
    assert done.returncode == 2 and expected in done.stderr


@pytest.mark.slow
def test_site_templates_and_mkdocs_yml_override_file_by_file(tmp_path: Path) -> None:
    root = registry(tmp_path, '[site]\nname = "某某区项目公开目录（测试）"\n')
    own = root / "site_templates"
    own.mkdir()
    shipped = (REPO / "site_templates" / "district.md.j2").read_text(encoding="utf-8")
    (own / "district.md.j2").write_text(shipped.replace("的项目", "的项目（本区模板）"), encoding="utf-8")
    mkdocs = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        mkdocs.replace("政务数字化项目的申报", "本区自己的说明：政务数字化项目的申报"), encoding="utf-8"
    )
    built = govsite("build", "--out", "site", cwd=root, env=DAY)
    assert built.returncode == 0, built.stderr
    district_page = next((root / "site" / "registry").rglob("index.html")).read_text(encoding="utf-8")
    assert "的项目（本区模板）" in district_page  # the registry's own template
    index = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "某某区项目公开目录（测试）" in index  # [site] name over mkdocs.yml's site_name
    assert "本区自己的说明" in index  # the registry's own mkdocs.yml (site_description)
    assert (root / "site" / "table" / "index.html").is_file()  # the other templates: shipped
    assert (root / "site" / "schema" / "minhang.schema.json").is_file()


def test_build_honours_policies(tmp_path: Path) -> None:
    root = registry(tmp_path)
    done = govsite("build", "--policies", "rules", "--markdown-only", cwd=root, env=DAY)
    assert done.returncode == 2 and "找不到政策目录" in done.stderr
    shutil.copytree(FIXTURES / "sixth_district" / "policies", root / "rules")
    done = govsite("build", "--policies", "rules", "--markdown-only", cwd=root, env=DAY)
    assert done.returncode == 0, done.stderr
    assert (root / "build" / "docs" / "handbook" / "xuhui-2026.md").is_file()


def test_a_copy_of_a_shipped_pack_from_before_packs_named_their_district_still_loads(tmp_path: Path) -> None:
    """Registries that copied the five packs before 0.2 have policy.yaml without district_name and
    id_prefix: the shipped pack of the same district supplies them."""
    root = registry(tmp_path)
    shutil.copytree(REPO / "policies", root / "policies")
    for policy in (root / "policies").glob("*/policy.yaml"):
        lines = policy.read_text(encoding="utf-8").splitlines(keepends=True)
        policy.write_text(
            "".join(line for line in lines if not line.startswith(("district_name:", "id_prefix:"))),
            encoding="utf-8",
        )
    result = validate_json(root)
    [project] = result["projects"]  # type: ignore[misc]
    assert project["policy"]["id"] == "minhang-2025"
    assert not [f for f in project["findings"] if f["severity"] == "error"], project["findings"]
