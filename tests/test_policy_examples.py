"""Every rule's own examples, and every failing example seen through `govsite validate`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from support import POLICIES, dump_yaml, write_project

from govsite.findings import Severity
from govsite.policy.pack import load_packs
from govsite.policy.selftest import deep_merge, fill_params, iter_examples
from govsite.registry import validate_paths
from govsite.report.text import render_text

PACKS = load_packs(POLICIES)
OUTCOMES = list(iter_examples(PACKS))

# The rule ids of RULES.md (the reading of the regulations every pack must cover), by pack; a pack may
# have more (rules beyond RULES.md, which was the floor).
REQUIRED_RULES = {
    "minhang-2025": [f"MH-{n:02d}" for n in range(1, 29)],
    "qingpu-2024": [f"QP-{n:02d}" for n in range(1, 21)],
    "yangpu-2023": [f"YP-{n:02d}" for n in range(1, 22)],
    "gongshu-2021": [f"GS-{n:02d}" for n in range(1, 15)],
    "longgang-2021": [f"LG-{n:02d}" for n in range(0, 15)],
}


def test_every_required_pack_is_present() -> None:
    assert sorted(p.id for p in PACKS) == sorted(REQUIRED_RULES)


@pytest.mark.parametrize("outcome", OUTCOMES, ids=[o.test_id for o in OUTCOMES])
def test_rule_example(outcome: object) -> None:
    assert outcome.ok, outcome.detail  # type: ignore[attr-defined]


@pytest.mark.parametrize("pack_id", sorted(REQUIRED_RULES))
def test_every_rule_is_encoded_with_its_article(pack_id: str) -> None:
    pack = next(p for p in PACKS if p.id == pack_id)
    rules = {r.spec.id: r.spec for r in pack.rules}
    assert set(REQUIRED_RULES[pack_id]) <= set(rules), sorted(set(REQUIRED_RULES[pack_id]) - set(rules))
    article_ids = {a.id for a in pack.articles}
    for spec in rules.values():
        assert spec.articles and set(spec.articles) <= article_ids
        assert {e.expect for e in spec.examples} == {"pass", "fail"}, spec.id


FAILING = [
    (pack, rule, example)
    for pack in PACKS
    for rule in pack.rules
    for example in rule.spec.examples
    if example.expect == "fail" and example.transition_from is None
]

LINE = re.compile(
    r"^submissions/(?P<d>[a-z]+)/(?P<f>[^:]+):(?P<l>\d+):(?P<c>\d+): (错误|警告|提示) \[(?P<rule>[A-Z]{2}-\d\d) (?P<art>[^\]]+)\] (?P<msg>.+)$"
)


@pytest.mark.parametrize(
    ("pack", "rule", "example"), FAILING, ids=[f"{r.spec.id}/{e.name}" for _, r, e in FAILING]
)
def test_failing_example_through_validate(
    pack: object, rule: object, example: object, tmp_path: Path
) -> None:
    """Written to a registry file, a failing example gives path:line:col, rule, article, Chinese text,
    and fails the run (with --fail-on warning for rules whose severity is a warning).

    This runs what `govsite validate` runs (validate_paths, then the text reporter) in-process with
    the packs loaded once: a subprocess per example would spend its time re-loading the packs.
    """
    base = example.base if example.base is not None else pack.example_base  # type: ignore[attr-defined]
    params = pack.meta.params  # type: ignore[attr-defined]
    data = fill_params(deep_merge(base, example.project), params)  # type: ignore[attr-defined]
    relative = f"submissions/{data['district']}/{data['id']}.yaml"
    write_project(tmp_path, relative, dump_yaml(data))
    for other in example.registry:  # type: ignore[attr-defined]
        other_data = fill_params(deep_merge(base, other), params)
        write_project(tmp_path, f"submissions/{other_data['district']}/{other_data['id']}.yaml", other_data)
    for path, text in example.documents.items():  # type: ignore[attr-defined]
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    last = max(dt.date.fromisoformat(str(s["date"])) for s in data["stages"])
    today = example.today or (last + dt.timedelta(days=1))  # type: ignore[attr-defined]
    run = validate_paths([tmp_path / relative], PACKS, tmp_path, today)
    output = render_text(run)
    spec = rule.spec  # type: ignore[attr-defined]
    if not (spec.checks and all(c.severity == "info" for c in spec.checks)):  # a notice-only rule informs
        assert run.count(Severity.ERROR) + run.count(Severity.WARNING) > 0, output
    matches = [m for m in map(LINE.match, output.splitlines()) if m and m["rule"] == spec.id]
    assert matches, output
    if example.related:  # type: ignore[attr-defined]
        # a finding across the registry names the other project
        assert any(other in m["msg"] for m in matches for other in example.related), output  # type: ignore[attr-defined]
    for match in matches:
        assert match["art"] == spec.citation
        assert re.search(r"[\u4e00-\u9fff]", match["msg"])
        assert int(match["l"]) >= 1 and int(match["c"]) >= 1
