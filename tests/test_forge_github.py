"""The GitHub adapter against response bodies shaped exactly as GitHub's REST API documents them:
`GET /repos/{owner}/{repo}/pulls/{n}/reviews` and `GET /repos/{owner}/{repo}/issues/{n}/comments`
(tests/forge/*.json). Nothing else needs a forge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govsite.forge.github import COMMENT_MARKER, comment_request, phrase_reviews, signed_statements

HERE = Path(__file__).parent / "forge"


def load(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((HERE / name).read_text(encoding="utf-8"))
    return data


def test_the_fixed_phrase_is_read_from_the_first_line_of_a_review() -> None:
    found = phrase_reviews(load("reviews.json"))
    assert [(r.review_id, r.login, r.decision, r.role, r.project) for r in found] == [
        ("80", "zhangsan", "approve", "data_bureau", None),
        ("84", "lisi", "return", "finance_bureau", "MH-2026-002"),
    ]
    first = found[0]
    assert first.opinion == "材料齐全，同意受理。" and first.commit == "{HEAD}"
    assert (
        first.url.endswith("#pullrequestreview-80") and first.time.isoformat() == "2026-03-04T02:00:00+00:00"
    )
    assert found[1].opinion == "预算表缺少明细。"  # CRLF bodies, as browsers send them


def test_a_phrase_contradicting_the_review_state_or_a_dismissed_review_does_not_count() -> None:
    ids = {r.review_id for r in phrase_reviews(load("reviews.json"))}
    assert "82" not in ids  # “同意” in a review that requests changes
    assert "83" not in ids  # dismissed on GitHub
    assert "81" not in ids  # no phrase


def test_a_pasted_signed_statement_is_found_and_a_broken_one_reported() -> None:
    reviews = load("reviews.json")
    statement = {
        "statement": {
            "type": "govsite-approval/1",
            "project": "MH-2026-002",
            "path": "submissions/minhang/MH-2026-002.yaml",
            "blob": "a" * 40,
            "subject": {"kind": "declaration", "to": "declared"},
            "role": "data_bureau",
            "person": "zhang.san",
            "time": "2026-03-04T10:00:00+08:00",
            "decision": "approve",
        },
        "signature": {
            "scheme": "ssh",
            "value": "-----BEGIN SSH SIGNATURE-----\nx\n-----END SSH SIGNATURE-----\n",
            "signer": "zhang.san",
        },
    }
    reviews[1]["body"] = (
        f"govsite 审批记录\n\n```govsite-approval\n{json.dumps(statement, ensure_ascii=False)}\n```\n"
    )
    reviews[2]["body"] = "```govsite-approval\n{not json\n```"
    found = signed_statements(reviews)
    assert [f.source.rsplit("-", 1)[1] for f in found] == ["81", "82"]
    assert found[0].signed is not None and found[0].signed.statement.person == "zhang.san"
    assert found[1].signed is None and found[1].problem and "不是 JSON" in found[1].problem


def test_the_check_comment_updates_the_bots_own_comment_only() -> None:
    comments = load("comments.json")
    request = comment_request("minhang-gov/registry", 12, "## govsite 检查结果\n新内容", comments)
    # comment 1 carries the marker too, but a department wrote it: never overwritten
    assert (request.method, request.path) == ("PATCH", "/repos/minhang-gov/registry/issues/comments/2")
    assert request.body["body"].startswith(COMMENT_MARKER + "\n## govsite 检查结果")


def test_without_a_comment_of_its_own_the_bot_creates_one() -> None:
    comments = [c for c in load("comments.json") if c["user"]["type"] != "Bot"]
    request = comment_request("minhang-gov/registry", 12, "内容", comments)
    assert (request.method, request.path) == ("POST", "/repos/minhang-gov/registry/issues/12/comments")
