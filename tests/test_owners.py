"""Who must review what: CODEOWNERS is generated from the packs' roles and reviewers.yaml, and the
check reports the same owners for every path a pull request changes outside submissions/."""

from __future__ import annotations

from pathlib import Path

from support import POLICIES, REPO, govsite, make_registry

from govsite.owners import owner_of, owner_rules, render_codeowners
from govsite.policy.pack import load_packs
from govsite.reviewers import Maintainers, Reviewers, parse_reviewers

PACKS = load_packs(POLICIES)
REVIEWERS = Reviewers(maintainers=Maintainers(name="维护组", forge={"github": "@org/maintainers"}))


def test_committed_codeowners_is_in_sync() -> None:
    done = govsite("codeowners", "--check", cwd=REPO)
    assert done.returncode == 0, done.stderr


def test_each_district_folder_is_owned_by_its_codeowner_role() -> None:
    rules = owner_rules(PACKS, REVIEWERS)
    minhang = owner_of("submissions/minhang/MH-2026-001.yaml", rules)
    assert minhang is not None and minhang.owners == ("@minhang-gov/data-bureau",)
    assert minhang.who == "区数据局（闵行区）"
    yangpu = owner_of("submissions/yangpu/plans/x.md", rules)
    assert yangpu is not None and yangpu.owners == ("@yangpu-gov/joint-meeting-office",)


def test_everything_else_is_owned_by_the_maintainers() -> None:
    rules = owner_rules(PACKS, REVIEWERS)
    for path in (
        "govsite/judge.py",
        "mkdocs.yml",
        ".github/workflows/check.yml",
        "policies/minhang-2025/policy.yaml",
        "reviewers.yaml",
        "submissions/README.md",
    ):
        rule = owner_of(path, rules)
        assert rule is not None and rule.owners == ("@org/maintainers",), path
        assert rule.who.startswith("维护组")


def test_codeowners_lists_later_rules_last() -> None:
    text = render_codeowners(owner_rules(PACKS, REVIEWERS))
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "* @org/maintainers"
    assert lines.index("/policies/ @org/maintainers") < lines.index(
        "/submissions/minhang/ @minhang-gov/data-bureau"
    )


def test_a_registry_without_a_reviewer_file_still_generates(tmp_path: Path) -> None:
    root = make_registry(tmp_path)
    done = govsite("codeowners", cwd=root)
    assert done.returncode == 0, done.stderr
    text = (root / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "/submissions/minhang/ @minhang-gov/data-bureau" in text


def test_a_broken_reviewer_file_names_file_and_line() -> None:
    import pytest

    from govsite.errors import GovsiteError

    with pytest.raises(GovsiteError) as caught:
        parse_reviewers(b"maintainers:\n  nmae: x\n", "reviewers.yaml")
    assert str(caught.value).startswith("reviewers.yaml:2:")
