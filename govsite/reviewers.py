"""The registry's reviewer file (`reviewers.yaml`): who maintains the registry itself.

Read from the base branch only when a pull request is checked, so a pull request cannot make its
author an owner of what it changes. The maintainers own everything that is not a project file: the
govsite code, site templates and configuration, workflows, policies and this file.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from govsite.errors import GovsiteError
from govsite.validation import _dotted
from govsite.yamlload import load_bytes

REVIEWERS_FILE = "reviewers.yaml"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Maintainers(_Spec):
    name: str = Field("登记册维护人员", description="维护人员的称呼（检查结果中显示）")
    forge: dict[str, str] = Field(
        default_factory=dict, description="各代码托管平台上的维护人员团队，如 github: '@org/team'"
    )


class Reviewers(_Spec):
    maintainers: Maintainers = Field(default_factory=Maintainers)


DEFAULT_REVIEWERS = Reviewers()


def parse_reviewers(raw: bytes, shown: str) -> Reviewers:
    """Parse a reviewer file; a problem is a GovsiteError naming file and line."""
    doc = load_bytes(raw, shown)
    if doc.errors:
        first = doc.errors[0]
        raise GovsiteError(f"{shown}:{first.line}: {first.message}", first.hint)
    try:
        return Reviewers.model_validate(doc.data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        line = doc.locate(tuple(error["loc"]))[0]
        raise GovsiteError(
            f"{shown}:{line}: {_dotted(error['loc'])}：{error['msg']}", "对照 docs/security.md 中的格式修改。"
        ) from exc


def load_reviewers(root: Path) -> Reviewers:
    path = root / REVIEWERS_FILE
    if not path.is_file():
        return DEFAULT_REVIEWERS
    return parse_reviewers(path.read_bytes(), REVIEWERS_FILE)
