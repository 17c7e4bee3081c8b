"""GitHub: approvals given as pull-request reviews, and the one check comment kept up to date.

Two ways to approve on GitHub, both read from the REST API's review objects
(`GET /repos/{owner}/{repo}/pulls/{n}/reviews`) and issue comments
(`GET /repos/{owner}/{repo}/issues/{n}/comments`):

- a **signed statement** pasted from `govsite approve --print`, in a fenced block
  ```` ```govsite-approval ```` … ```` ``` ````: it carries its own signature and counts as is;
- the **fixed phrase** on the first line of a review — `govsite 同意 <角色> [<项目编号>]`
  (or `不同意`, `退回`), the rest of the body being the opinion (意见). GitHub vouches for who wrote
  it; at merge the registry's recorder key signs a transcription (`govsite record`), so a clone can
  verify it later without GitHub.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from govsite.approvals.statement import StatementFile, parse_statement

FORGE = "github"
COMMENT_MARKER = "<!-- govsite-check -->"
_BLOCK = re.compile(r"```govsite-approval[ \t]*\r?\n(.*?)\r?\n```", re.S)
_PHRASE = re.compile(
    r"^\s*govsite\s+(同意|不同意|退回)\s+([a-z_]+)(?:\s+([A-Z]{2}-[0-9]{4}-[0-9]{3,4}))?(?:\s+文号\s*(\S+))?\s*$"
)
_DECISION = {"同意": "approve", "不同意": "reject", "退回": "return"}


@dataclass(frozen=True)
class PhraseReview:
    """A review whose first line is the fixed phrase."""

    login: str
    review_id: str
    url: str
    commit: str
    time: dt.datetime
    decision: str
    role: str
    project: str | None
    ref: str | None
    opinion: str | None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _login(item: Mapping[str, Any]) -> str:
    user = item.get("user")
    return _text(user.get("login")) if isinstance(user, Mapping) else ""


def signed_statements(items: Iterable[Mapping[str, Any]]) -> list[StatementFile]:
    """Signed statements pasted into reviews or comments; a block that does not parse is reported."""
    found = []
    for item in items:
        if item.get("state") == "DISMISSED":
            continue
        source = _text(item.get("html_url")) or f"github:{item.get('id')}"
        for block in _BLOCK.findall(_text(item.get("body"))):
            found.append(parse_statement(block, source))
    return found


def _when(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def phrase_reviews(reviews: Iterable[Mapping[str, Any]]) -> list[PhraseReview]:
    """Reviews that approve, reject or return with the fixed phrase on their first line.

    A review GitHub shows as dismissed does not count, nor one whose state contradicts its phrase
    (“同意” in a review that requests changes)."""
    found = []
    for review in reviews:
        state = _text(review.get("state"))
        body = _text(review.get("body")).replace("\r\n", "\n")
        first, _, rest = body.partition("\n")
        match = _PHRASE.match(first)
        when = _when(_text(review.get("submitted_at")))
        if not match or when is None or state == "DISMISSED":
            continue
        decision = _DECISION[match.group(1)]
        if decision == "approve" and state == "CHANGES_REQUESTED":
            continue
        found.append(
            PhraseReview(
                login=_login(review),
                review_id=str(review.get("id", "")),
                url=_text(review.get("html_url")),
                commit=_text(review.get("commit_id")),
                time=when,
                decision=decision,
                role=match.group(2),
                project=match.group(3),
                ref=match.group(4),
                opinion=rest.strip() or None,
            )
        )
    return found


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, str]


def comment_request(
    repository: str, number: int, markdown: str, comments: Sequence[Mapping[str, Any]]
) -> Request:
    """Create the check comment, or update the one the bot wrote before (found by its marker).

    Only a comment by a bot account counts as ours: anyone can paste the marker into a comment,
    and theirs must never be overwritten."""
    body = f"{COMMENT_MARKER}\n{markdown}"
    for comment in comments:
        user = comment.get("user")
        is_bot = isinstance(user, Mapping) and user.get("type") == "Bot"
        if is_bot and _text(comment.get("body")).startswith(COMMENT_MARKER):
            return Request("PATCH", f"/repos/{repository}/issues/comments/{comment['id']}", {"body": body})
    return Request("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
