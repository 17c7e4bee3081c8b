"""The approval statement: what one person, acting for one role, decided about one version of a file.

A statement names the exact git blob it decides on, so it stays true whatever happens to commits
(rebase, squash, a move to another forge): the audit finds the blob in history and checks that the
merged file is that blob. It is signed over its canonical form (JSON, keys sorted, no spaces, UTF-8)
by a signature scheme (`signing.py`); the file carries the statement, the scheme and the signature.

Files live under `approvals/<district>/<project>/` (`approvals/registry/` for changes outside
submissions/), one per decision, and are append-only: they travel with the registry in every clone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

APPROVALS = "approvals"
NAMESPACE = "govsite-approval"  # the ssh-keygen -Y namespace: a signature for anything else never counts
DECISIONS = {"approve": "同意", "reject": "不同意", "return": "退回补正"}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubjectSpec(_Spec):
    kind: Literal["declaration", "transition", "change", "update", "protected"]
    source: str | None = Field(None, alias="from")
    target: str | None = Field(None, alias="to")
    changes: list[int] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PolicySpec(_Spec):
    id: str
    tree: str = Field(description="政策包目录在目标分支上的 git 树对象编号（政策的版本）")


class BasisSpec(_Spec):
    rule: str
    article: str = ""


class ForgeReview(_Spec):
    """Where a transcribed statement came from: a review on the forge."""

    forge: str
    login: str
    review: str
    url: str = ""
    commit: str = ""


class Statement(_Spec):
    type: Literal["govsite-approval/1"] = "govsite-approval/1"
    project: str | None = Field(None, description="项目编号；受保护文件的审批为 null")
    path: str = Field(description="所审批的文件")
    blob: str = Field(
        pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$", description="所审批的文件内容（git blob 编号）"
    )
    subject: SubjectSpec
    policy: PolicySpec | None = None
    basis: list[BasisSpec] = Field(default_factory=list)
    role: str
    person: str
    time: dt.datetime
    decision: Literal["approve", "reject", "return"]
    opinion: str | None = Field(None, max_length=4000, description="意见")
    ref: str | None = Field(None, max_length=200, description="机构出具的文号")
    via: ForgeReview | None = Field(None, description="由平台审查转录时的来源")

    def canonical(self) -> bytes:
        """The bytes that are signed: one form for one statement, whoever serialises it."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class SignatureSpec(_Spec):
    scheme: str = Field(pattern=r"^[a-z0-9-]+$")
    value: str
    signer: str = Field(description="签名者：人员编号，或 recorder（登记册记录程序）")


class SignedStatement(_Spec):
    statement: Statement
    signature: SignatureSpec

    def to_json(self) -> str:
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class StatementFile:
    """A statement as found: in a file of the tree, or in a review on the forge."""

    source: str  # a repository path, or a forge URL
    signed: SignedStatement | None
    problem: str | None = None


def parse_statement(raw: bytes | str, source: str) -> StatementFile:
    try:
        data: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return StatementFile(source, None, f"不是 JSON：{exc}")
    try:
        return StatementFile(source, SignedStatement.model_validate(data))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return StatementFile(source, None, f"审批记录格式不对（{where}：{first['msg']}）")


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def statement_path(statement: Statement, district: str | None) -> str:
    """approvals/<district>/<project>/<time>-<role>-<person>-<decision>.json"""
    stamp = statement.time.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = "-".join(
        _SAFE.sub("_", part) for part in (stamp, statement.role, statement.person, statement.decision)
    )
    if statement.project is None:
        folder = f"{APPROVALS}/registry/{_SAFE.sub('_', statement.path)}"
    else:
        folder = f"{APPROVALS}/{district}/{statement.project}"
    return f"{folder}/{name}.json"


def is_statement_path(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return len(parts) >= 3 and parts[0] == APPROVALS and path.endswith(".json")
