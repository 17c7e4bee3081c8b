"""保密审查: personal phone and identity numbers are found at their line, and stop the build."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY
from support import base_project, make_registry

from govsite.errors import GovsiteError
from govsite.privacy import id_card_valid, personal_data

ID_NUMBER = "11010519491231002X"  # the standard's worked example: its check digit is right


def test_check_digit() -> None:
    assert id_card_valid(ID_NUMBER)
    assert not id_card_valid("110105194912310021")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("联系人：张三 13812345678", ["手机号码 138****5678"]),
        ("电话 +86 138-1234-5678", ["手机号码 138****5678"]),
        ("手机138 1234 5678。", ["手机号码 138****5678"]),
        (f"身份证 {ID_NUMBER}", ["身份证号码 1101************2X"]),
        (f"身份证{ID_NUMBER.lower()}号", ["身份证号码 1101************2x"]),
        ("办公电话 021-12345678", []),  # an office landline is contact data, not personal
        ("合同编号 110105194912310021", []),  # 18 digits with a wrong check digit: a serial number
        ("sha256: 9f13812345678aa" + "0" * 49, []),  # digits inside a digest
        ("编号 MH-2026-013812345678X", []),
        ("金额 13812345678.5 元", ["手机号码 138****5678"]),  # the number stands on its own
    ],
)
def test_personal_numbers(text: str, found: list[str]) -> None:
    assert [what for _line, _column, what in personal_data(text)] == found


def test_line_and_column() -> None:
    assert list(personal_data("a: 1\nb: 联系 13912345678\n")) == [(2, 7, "手机号码 139****5678")]


def registry_with(tmp_path: Path, **fields: object) -> Path:
    return make_registry(
        tmp_path / "r", {"submissions/minhang/MH-2026-021.yaml": base_project(id="MH-2026-021", **fields)}
    )


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"project_lead": "张三（科长）13812345678"}, "手机号码 138****5678"),
        ({"summary": f"联系人身份证 {ID_NUMBER}"}, "身份证号码 1101************2X"),
    ],
)
def test_build_refuses_personal_data_with_file_and_line(
    tmp_path: Path, fields: dict[str, object], shown: str
) -> None:
    from govsite.site.build import build_site

    root = registry_with(tmp_path, **fields)
    text = (root / "submissions/minhang/MH-2026-021.yaml").read_text(encoding="utf-8")
    (name,) = fields
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith(f"{name}:"))
    with pytest.raises(GovsiteError) as caught:
        build_site(root, root / "site", today=TODAY, run_mkdocs=False)
    message = str(caught.value)
    assert "保密审查未通过" in message
    assert f"submissions/minhang/MH-2026-021.yaml:{line}:" in message
    assert shown in message
    assert not (root / "site").exists() and not (root / "build" / "docs").exists()


def test_validate_reports_personal_data(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = registry_with(tmp_path, project_lead="张三 13812345678")
    done = subprocess.run(
        [sys.executable, "-m", "govsite", "validate", "submissions/", "--today", TODAY.isoformat()],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "personal-data" in done.stdout or "个人信息" in done.stdout
    assert "138****5678" in done.stdout and "13812345678" not in done.stdout


def test_footer_settings_are_reviewed_too(tmp_path: Path) -> None:
    from govsite.site.build import build_site

    root = make_registry(
        tmp_path / "r", {"submissions/minhang/MH-2026-021.yaml": base_project(id="MH-2026-021")}
    )
    (root / "govsite.toml").write_text('[site]\ncontact = "王五 13912345678"\n', encoding="utf-8")
    with pytest.raises(
        GovsiteError, match=r"\[site\] contact（联系方式）含有个人信息（手机号码 139\*\*\*\*5678）"
    ):
        build_site(root, root / "site", today=TODAY, run_mkdocs=False)
