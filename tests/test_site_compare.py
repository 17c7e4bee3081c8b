"""The comparison of regulations is generated from the packs: change a threshold, the page changes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from support import REPO, make_registry

from govsite.errors import GovsiteError
from govsite.site.build import prepare
from govsite.site.render import make_environment, render_pages

TODAY = dt.date(2026, 11, 22)


def compare_page(root: Path) -> str:
    (root / "submissions").mkdir(exist_ok=True)
    pages = render_pages(prepare(root, TODAY), make_environment(REPO / "site_templates"))
    return pages["handbook/compare.md"]


def set_param(root: Path, pack: str, name: str, value: str) -> None:
    policy = root / "policies" / pack / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    text, count = re.subn(rf"(?m)^(  {name}: )[^ #\n]+", rf"\g<1>{value}", text)
    assert count == 1, f"{name} not found once in {policy}"
    policy.write_text(text, encoding="utf-8")


def test_every_pack_is_a_column_and_every_topic_a_row(tmp_path: Path) -> None:
    page = compare_page(make_registry(tmp_path))
    header = next(line for line in page.splitlines() if line.startswith("| 事项 |"))
    from govsite.policy.pack import COMPARE_TOPICS, load_packs

    packs = load_packs(tmp_path / "policies")
    assert header.count("<br>") == len(packs)
    for pack in packs:
        assert f"]({pack.id}.md)" in header
    rows = [line for line in page.splitlines() if line.startswith("| ") and not line.startswith("| 事项")]
    assert len(rows) == len(COMPARE_TOPICS)


def test_changing_a_threshold_changes_the_page(tmp_path: Path) -> None:
    root = make_registry(tmp_path)
    before = compare_page(root)
    assert "批复总投资 500 万元及以上" in before
    set_param(root, "minhang-2025", "major_investment", "800")
    set_param(root, "minhang-2025", "change_tier_low", "0.10")
    after = compare_page(root)
    assert "批复总投资 800 万元及以上" in after and "批复总投资 500 万元及以上" not in after
    assert "占批复总投资 10&#37; 以下" in after


def test_a_compare_sentence_must_be_filled_from_params(tmp_path: Path) -> None:
    root = make_registry(tmp_path)
    policy = root / "policies/minhang-2025/policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("{major_investment}", "{no_such_param}"), encoding="utf-8"
    )
    (root / "submissions").mkdir()
    with pytest.raises(GovsiteError, match=r"compare\.major_project"):
        prepare(root, TODAY)
