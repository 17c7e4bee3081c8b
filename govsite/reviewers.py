"""The registry's reviewer file (`reviewers.yaml`): the people who may act for each role, and their keys.

Read from the base branch only when a pull request is checked (and, by `govsite audit`, as it was at
each merge's base), so a pull request cannot make its author an owner of what it changes, nor add
someone to a role and have them approve in the same pull request.

- `maintainers`: who owns everything that is not a project file (code, templates, workflows,
  policies, this file) and approves changes to it;
- `people`: each person with an ASCII id, name, forge accounts, e-mail addresses (how their own
  commits are recognised: nobody approves their own declaration) and the public keys they sign with;
- `roles`: per district, the people who hold each role of its packs; `budget_authority` maps the
  name a project gives as its 预算主管部门 to the people who act for that body;
- `recorder`: the registry's own key, which transcribes approvals given as forge reviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from govsite.errors import GovsiteError
from govsite.validation import _dotted
from govsite.yamlload import load_bytes

REVIEWERS_FILE = "reviewers.yaml"
MAINTAINERS = "maintainers"  # the role that approves changes outside submissions/


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="人员编号（英文），签名时的身份")
    name: str = Field(description="姓名")
    unit: str = Field("", description="所在单位")
    forge: dict[str, str] = Field(default_factory=dict, description="各平台账号，如 github: zhangsan")
    emails: list[str] = Field(default_factory=list, description="提交时使用的电子邮箱（识别本人申报）")
    keys: list[str] = Field(
        default_factory=list,
        description="签名用的公钥，一行一个：OpenSSH 格式（ssh-ed25519 AAAA…），或其他签名方式的“类型 公钥”",
    )

    @field_validator("keys")
    @classmethod
    def _one_line_keys(cls, keys: list[str]) -> list[str]:
        for key in keys:
            if "\n" in key or len(key.split()) < 2:
                raise ValueError("公钥应为一行“类型 公钥 [注释]”，如 OpenSSH 的 ssh-ed25519 AAAA… 注释")
        return keys


class Maintainers(_Spec):
    name: str = Field("登记册维护人员", description="维护人员的称呼（检查结果中显示）")
    forge: dict[str, str] = Field(
        default_factory=dict, description="各代码托管平台上的维护人员团队，如 github: '@org/team'"
    )
    people: list[str] = Field(default_factory=list, description="可以审批受保护文件改动的人员编号")


class Recorder(_Spec):
    """The registry's key for transcribing forge reviews into signed statements at merge."""

    name: str = "登记册记录程序"
    keys: list[str] = Field(default_factory=list)


RoleHolders = list[str] | dict[str, list[str]]


class Reviewers(_Spec):
    maintainers: Maintainers = Field(default_factory=Maintainers)
    people: list[Person] = Field(default_factory=list)
    # district → role → people, or for budget_authority: body name → people
    roles: dict[str, dict[str, RoleHolders]] = Field(default_factory=dict)
    recorder: Recorder | None = None

    def person(self, person_id: str) -> Person | None:
        return next((p for p in self.people if p.id == person_id), None)

    def holders(self, district: str | None, role: str, budget_authority: str | None = None) -> list[str]:
        """The people who may act for `role` (for a project of `district` whose budget authority is
        `budget_authority`)."""
        if role == MAINTAINERS:
            return list(self.maintainers.people)
        holders = self.roles.get(district or "", {}).get(role)
        if holders is None:
            return []
        if isinstance(holders, dict):
            return list(holders.get(budget_authority or "", []))
        return list(holders)

    def by_forge_login(self, forge: str, login: str) -> Person | None:
        return next((p for p in self.people if p.forge.get(forge, "").lower() == login.lower()), None)


DEFAULT_REVIEWERS = Reviewers()


def parse_reviewers(raw: bytes, shown: str, known: Sequence[str] = ()) -> Reviewers:
    """Parse a reviewer file; a problem is a GovsiteError naming file and line."""
    doc = load_bytes(raw, shown)
    if doc.errors:
        first = doc.errors[0]
        raise GovsiteError(f"{shown}:{first.line}: {first.message}", first.hint)
    try:
        reviewers = Reviewers.model_validate(doc.data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        line = doc.locate(tuple(error["loc"]))[0]
        raise GovsiteError(
            f"{shown}:{line}: {_dotted(error['loc'])}：{error['msg']}",
            "对照 docs/approvals.md 中的格式修改。",
        ) from exc
    ids = [p.id for p in reviewers.people]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        raise GovsiteError(f"{shown}: 人员编号 {duplicate} 重复", "每个人只写一次。")
    for where, listed in _references(reviewers):
        for person_id in listed:
            if person_id not in ids:
                line = doc.locate(where)[0]
                raise GovsiteError(
                    f"{shown}:{line}: {_dotted(where)} 中的 {person_id} 不在 people 中",
                    "先在 people 中登记此人。",
                )
    return reviewers


def _references(reviewers: Reviewers) -> list[tuple[tuple[str | int, ...], list[str]]]:
    found: list[tuple[tuple[str | int, ...], list[str]]] = [
        (("maintainers", "people"), reviewers.maintainers.people)
    ]
    for district, roles in reviewers.roles.items():
        for role, holders in roles.items():
            if isinstance(holders, dict):
                found += [(("roles", district, role, body), people) for body, people in holders.items()]
            else:
                found.append((("roles", district, role), holders))
    return found


def load_reviewers(root: Path) -> Reviewers:
    path = root / REVIEWERS_FILE
    if not path.is_file():
        return DEFAULT_REVIEWERS
    return parse_reviewers(path.read_bytes(), REVIEWERS_FILE)
