"""Loading: refuse what a registry never needs, keep going past bad files, positions everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import REPO, base_project, dump_yaml, govsite, make_registry

from govsite.yamlload import MAX_BYTES, load_bytes, load_text


def test_positions_point_at_values_and_keys() -> None:
    doc = load_text("a:\n  b: 1\n  c: [1, 2]\nd:\n  - x: 1\n", "f.yaml")
    assert doc.data == {"a": {"b": 1, "c": [1, 2]}, "d": [{"x": 1}]}
    assert doc.positions[("a", "b")] == (2, 6)
    assert doc.positions[("a", "c", 1)] == (3, 10)
    assert doc.positions[("d", 0, "x")] == (5, 8)
    # a block value points at its key; an unknown path falls back to its nearest ancestor
    assert doc.locate(("a",)) == (1, 1)
    assert doc.locate(("d", 0, "x", "missing")) == (5, 8)


@pytest.mark.parametrize(
    "text",
    [
        "name: 普通文字\n'quoted key': 'single'\n\"double\": \"双引号\\t转义\"\n",
        "summary: |\n  第一行\n  第二行\nnote: >-\n  折叠\n  的文字\n",
        "a: 1\nb: 1.5\nc: true\nd: ~\ne: 2026-03-02\nf: '2026-03-02'\ng: '1'\nh: yes\n",
        "1: 数字键\nfalse: 布尔键\n2026-01-01: 日期键\nlist: [x, 'y', 3]\n",
        "empty: ''\nspace: ' 前后空格 '\ncolon: 'a: b'\n",
        "a: no\nb: 'no'\nc: \"no\"\nd: null\ne: Null\nf: ''\ng: ~\nh: 'true'\ni: on\n",
        "a: 12\nb: '12'\ne: 12.0\ng: 2026-03-02 10:00:00\nh: 2026-3-2\n",
    ],
)
def test_every_value_is_what_yaml_s_safe_loader_makes(text: str) -> None:
    """Strings are taken from the node without the constructor (most scalars are text), and the tag
    of a plain scalar is remembered by its text: every value and key, of every type, is still what
    PyYAML's safe loader makes of it, the first time and when the tags come from memory."""
    import yaml

    expected = yaml.safe_load(text)
    for _ in range(2):
        doc = load_text(text, "f.yaml")
        assert doc.data == expected
        assert [(k, type(k), type(v)) for k, v in doc.data.items()] == [
            (k, type(k), type(v)) for k, v in expected.items()
        ]


def test_nested_duplicate_key_is_refused() -> None:
    doc = load_text("a:\n  b: 1\n  b: 2\n", "f.yaml")
    [error] = doc.errors
    assert (error.rule, error.line, error.column) == ("yaml-duplicate-key", 3, 3)
    assert "第一次在第 2 行" in error.message
    assert doc.data is None


def test_merge_key_is_refused() -> None:
    doc = load_text("a:\n  <<: {b: 1}\n", "f.yaml")
    assert [e.rule for e in doc.errors] == ["yaml-anchor"]


def test_anchor_without_alias_is_refused() -> None:
    assert [e.rule for e in load_text("a: &x 1\n", "f.yaml").errors] == ["yaml-anchor"]


def test_ampersand_in_text_is_fine() -> None:
    doc = load_text("name: 'R&D 平台 *试点*'\n", "f.yaml")
    assert doc.ok and doc.data == {"name": "R&D 平台 *试点*"}


def test_oversized_file_is_refused_before_parsing() -> None:
    doc = load_bytes(b"a: 1\n" * (MAX_BYTES // 5 + 1), "big.yaml")
    assert [e.rule for e in doc.errors] == ["file-too-large"]


def test_gbk_file_is_refused_with_its_line() -> None:
    doc = load_bytes("id: MH-2026-001\nname: 闵行区系统\n".encode("gbk"), "gbk.yaml")
    [error] = doc.errors
    assert (error.rule, error.line) == ("file-encoding", 2)
    assert "UTF-8" in error.message


def test_bom_is_accepted() -> None:
    assert load_bytes("\ufeffa: 1\n".encode(), "bom.yaml").data == {"a": 1}


def test_one_bad_file_never_stops_the_others(tmp_path: Path) -> None:
    good = base_project()
    root = make_registry(
        tmp_path,
        {
            "submissions/minhang/MH-2026-001.yaml": good,
            "submissions/minhang/MH-2026-002.yaml": "id: [\n",
            "submissions/minhang/MH-2026-003.yaml": dump_yaml({**good, "id": "MH-2026-003", "type": "other"}),
        },
    )
    (root / "submissions/minhang/MH-2026-004.yaml").write_bytes(b"\xff\xfe")
    done = govsite("validate", "--today", "2025-12-02", "--format", "json", cwd=root)
    assert done.returncode == 1
    import json

    report = json.loads(done.stdout)
    rules = {p["path"].rsplit("/", 1)[1]: [f["rule"] for f in p["findings"]] for p in report["projects"]}
    assert rules["MH-2026-001.yaml"] == []
    assert rules["MH-2026-002.yaml"] == ["yaml-syntax"]
    assert rules["MH-2026-003.yaml"] == ["schema"]
    assert rules["MH-2026-004.yaml"] == ["file-encoding"]


def test_layout_rules_only_inside_the_registry(tmp_path: Path) -> None:
    root = make_registry(tmp_path, {"submissions/qingpu/wrong-name.yaml": base_project()})
    done = govsite("validate", "--today", "2025-12-02", cwd=root)
    assert done.returncode == 1
    assert "文件名应为项目编号：MH-2026-001.yaml" in done.stdout
    assert "应直接放在 submissions/minhang/ 下" in done.stdout


def test_duplicate_ids_name_each_other(tmp_path: Path) -> None:
    project = base_project()
    root = make_registry(
        tmp_path, {"submissions/minhang/MH-2026-001.yaml": project, "drafts/copy.yaml": project}
    )
    done = govsite("validate", "--today", "2025-12-02", "submissions", "drafts", cwd=root)
    assert done.returncode == 1
    assert "项目编号 MH-2026-001 已被 drafts/copy.yaml 使用" in done.stdout
    assert "项目编号 MH-2026-001 已被 submissions/minhang/MH-2026-001.yaml 使用" in done.stdout


@pytest.mark.parametrize(
    ("rule_text", "expected"),
    [
        ("require: 'project.name +'", "CEL 表达式有误"),
        ("require: 'true'\n    role_typo: x", "role_typo"),
    ],
)
def test_broken_pack_is_reported_with_file_and_line(tmp_path: Path, rule_text: str, expected: str) -> None:
    root = make_registry(tmp_path, {"submissions/minhang/MH-2026-001.yaml": base_project()})
    rule = root / "policies/minhang-2025/rules/MH-08.yaml"
    text = rule.read_text(encoding="utf-8")
    first_require = text.index("    require:")
    end = text.index("\n", first_require)
    rule.write_text(text[:first_require] + "    " + rule_text + text[end:], encoding="utf-8")
    # the district's projects are told, at the pack's file and line; the run goes on (exit 1, not 2)
    done = govsite("validate", cwd=root)
    assert done.returncode == 1
    assert "闵行区的政策包有错误，本项目没有按政策检查" in done.stdout
    assert "policies/minhang-2025/rules/MH-08.yaml:" in done.stdout
    assert expected in done.stdout
    # the maintainers' tool stops on it
    strict = govsite("policy", "test", cwd=root)
    assert strict.returncode == 1 and expected in strict.stdout and "ERROR 政策包" in strict.stdout


def test_repository_schema_is_in_sync() -> None:
    done = govsite("schema", "--check", cwd=REPO)
    assert done.returncode == 0, done.stderr
