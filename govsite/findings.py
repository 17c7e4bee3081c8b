"""The one findings model every output (text, JSON, GitHub, site) is fed from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """Something wrong (or worth knowing) about one file.

    `rule` is a policy rule id (MH-08) or a loader code (yaml-syntax, schema, transition …);
    `field` is the path inside the document the finding is about, resolved to a line and column
    by the reporter's caller.
    """

    rule: str
    severity: Severity
    message: str
    hint: str = ""
    article: str = ""
    field: FieldPath = ()
    line: int | None = None
    column: int | None = None
    related: tuple[str, ...] = ()
    policy: str = ""  # the pack (regulation) that judged it; "" for loader and lifecycle findings

    def located(self, line: int | None, column: int | None) -> Finding:
        return replace(self, line=line, column=column)


@dataclass(frozen=True)
class RouteEntry:
    """One body that must decide, and why."""

    role: str
    role_name: str
    rule: str
    article: str
    reason: str
    facts: dict[str, object] = field(default_factory=dict)
    # the stages at whose reaching this body decides (empty: whenever the route applies)
    at: tuple[str, ...] = ()
    policy: str = ""


@dataclass(frozen=True)
class Deadline:
    """A clock the regulation starts; `status` is pending, met or overdue as of the run's date."""

    rule: str
    article: str
    what: str
    due: str
    start: str | None
    status: str
    days: int | None = None
    unit: str | None = None
    policy: str = ""
    provisional: bool = False  # computed without a published holiday calendar for some year


_RULE_ID = re.compile(r"[A-Z]{2}-[0-9]{2,3}[a-z]?")
_PACK_ID = re.compile(r"[a-z][a-z0-9-]*")


def handbook_link(site_url: str | None, finding: Finding) -> str | None:
    """Where the published handbook shows the rule behind `finding`, under the article it enforces
    (`<site>/handbook/<pack>/#rule-<id>`); None for loader findings or when no site URL is set."""
    if not site_url or not _PACK_ID.fullmatch(finding.policy) or not _RULE_ID.fullmatch(finding.rule):
        return None
    return f"{site_url}handbook/{finding.policy}/#rule-{finding.rule}"


class Params(dict[str, Any]):
    """The pack's params in a message: `{params.approval_threshold}`, so the prose follows the number.
    (Here, with the findings: a route's facts carry it, and a cached result is read back without
    importing the rules.)"""

    def __getattr__(self, name: str) -> Any:
        return self.get(name, "？")
