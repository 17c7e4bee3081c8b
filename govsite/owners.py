"""Who must review a change to a path: the rules behind `.github/CODEOWNERS`, and the same rules
applied by `govsite check` to every path a pull request changes outside submissions/.

One source: the packs' roles (`codeowner: true` marks the body that answers for a district's
project files) and the reviewer file's maintainers (everything else). CODEOWNERS is generated from
them (`govsite codeowners`) and a test keeps the committed file in sync, so the forge's review
requirement and govsite's report can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from govsite.policy.pack import PolicyPack
from govsite.reviewers import REVIEWERS_FILE, Reviewers
from govsite.vocabulary import label

CODEOWNERS = ".github/CODEOWNERS"


@dataclass(frozen=True)
class OwnerRule:
    pattern: str  # CODEOWNERS syntax; we only generate "*", "/file" and "/folder/"
    owners: tuple[str, ...]  # forge handles, e.g. @org/team
    who: str  # in words, for reports: 区数据局（闵行区）

    def matches(self, path: str) -> bool:
        if self.pattern == "*":
            return True
        anchored = self.pattern.lstrip("/")
        if anchored.endswith("/"):
            return path.startswith(anchored)
        return path == anchored


def owner_rules(packs: Sequence[PolicyPack], reviewers: Reviewers, forge: str = "github") -> list[OwnerRule]:
    """In CODEOWNERS order: later rules win."""
    maintainers = reviewers.maintainers
    handles = tuple(h for h in [maintainers.forge.get(forge)] if h)
    rules = [
        OwnerRule("*", handles, maintainers.name),
        OwnerRule("/policies/", handles, f"{maintainers.name}（政策包）"),
        OwnerRule(f"/{REVIEWERS_FILE}", handles, f"{maintainers.name}（审核人员名册）"),
        OwnerRule("/.github/", handles, f"{maintainers.name}（工作流与代码所有者）"),
    ]
    districts: dict[str, list[tuple[str, str]]] = {}
    for pack in sorted(packs, key=lambda p: (p.meta.district.value, p.meta.effective)):
        for role in pack.roles.values():
            if role.codeowner and role.forge.get(forge):
                entry = (role.forge[forge], role.name)
                holders = districts.setdefault(pack.meta.district.value, [])
                if entry not in holders:
                    holders.append(entry)
    for district, holders in sorted(districts.items()):
        names = "、".join(dict.fromkeys(name for _, name in holders))
        rules.append(
            OwnerRule(
                f"/submissions/{district}/",
                tuple(dict.fromkeys(handle for handle, _ in holders)),
                f"{names}（{label(district)}）",
            )
        )
    return rules


def owner_of(path: str, rules: Sequence[OwnerRule]) -> OwnerRule | None:
    """The rule that decides `path`'s owners: the last one that matches, as on the forge."""
    found = None
    for rule in rules:
        if rule.matches(PurePosixPath(path).as_posix()):
            found = rule
    return found


def render_codeowners(rules: Sequence[OwnerRule]) -> str:
    lines = [
        "# 由 govsite codeowners 生成，请勿手工修改：改 policies/*/roles.yaml（codeowner: true）或",
        "# reviewers.yaml 后重新运行 govsite codeowners。后面的规则优先。",
        "",
    ]
    for rule in rules:
        lines.append(f"# {rule.who}")
        lines.append(f"{rule.pattern} {' '.join(rule.owners)}".rstrip())
    return "\n".join(lines) + "\n"
