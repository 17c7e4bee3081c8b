"""The pack lint, run by `govsite policy test`: what a maintainer can get wrong in a rule besides its logic.

- **Severity follows the wording.** Each check (and each clock that gives a finding) quotes, in
  `wording:`, the words of its cited article it enforces. The quote must be the article's text, and
  its words decide the severity: 必须、不得、应、须 … an error; 原则上、一般、参照、鼓励、可 … a warning
  (the regulation itself allows exceptions); a wording with neither is a notice (info). A check whose
  severity differs says why in `severity_reason:`.
- **Waivers only where the regulation allows exceptions:** `waivable_by` needs a soft wording.
- **No message shows a raw placeholder:** every `{name}` in a message, hint, reason or clock text is
  a value the rule provides.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from govsite.policy.pack import CompiledRule, PolicyPack

# Softer words first: "原则上不得" allows exceptions. 可 is soft as a word of permission, not inside
# 可研、可行性、方可、不可 …; 需 is not a duty inside 需求, nor 应 inside 应用.
_SOFT = re.compile(
    r"原则上|一般|参照|参考|鼓励|宜|尽量|尽可能|可以|(?<![方不许认])可(?![研行扩靠视信用控持追])"
)
_HARD = re.compile(r"必须|严禁|禁止|不得|不能|不允许|不予|应当|应(?!用)|须|需(?!求)|要求|负责|方可")
_SPACE = re.compile(r"\s+")
_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class LintProblem:
    pack: str
    rule: str
    where: str  # checks[0] / clocks[1].overdue_message …
    message: str

    @property
    def test_id(self) -> str:
        return f"{self.pack}/{self.rule}/lint/{self.where}"


def _normal(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def wording_severity(wording: str) -> str:
    """error / warning / info, as the severity policy reads the quoted words."""
    if _SOFT.search(wording):
        return "warning"
    if _HARD.search(wording):
        return "error"
    return "info"


def placeholders(template: str) -> list[str]:
    names = []
    try:
        for _literal, name, _spec, _conversion in _FORMATTER.parse(template):
            if name:
                names.append(re.split(r"[.\[]", name, maxsplit=1)[0])
    except ValueError as exc:
        return [f"<格式错误：{exc}>"]
    return names


def _article_text(pack: PolicyPack, rule: CompiledRule) -> str:
    return _normal("".join(a.text for a in pack.articles if a.id in rule.spec.articles))


def lint_rule(pack: PolicyPack, rule: CompiledRule) -> Iterator[LintProblem]:
    spec = rule.spec
    text = _article_text(pack, rule)
    values = {*spec.let, "index", "name", "id", "params"}

    def problem(where: str, message: str) -> LintProblem:
        return LintProblem(pack.id, spec.id, where, message)

    def severity(where: str, wording: str, severity: str, reason: str) -> Iterator[LintProblem]:
        if not wording:
            yield problem(where, "没有写 wording：引用所依据条款中规定这一要求的原话，据以确定级别")
            return
        if _normal(wording) not in text:
            yield problem(where, f"wording“{wording}”不是所引条款（{spec.citation}）的原文")
            return
        expected = wording_severity(wording)
        if expected != severity and not reason:
            yield problem(
                where,
                f"级别为 {severity}，但条款原文“{wording}”对应 {expected}；改为 {expected}，或在 severity_reason 中写明理由",
            )

    for index, check in enumerate(spec.checks):
        where = f"checks[{index}]"
        yield from severity(where, check.wording, check.severity, check.severity_reason)
        for part, template in (("message", check.message), ("hint", check.hint)):
            for name in placeholders(template):
                if name not in values:
                    yield problem(
                        f"{where}.{part}", f"占位符 {{{name}}} 没有值（可用：{'、'.join(sorted(values))}）"
                    )
    for index, route in enumerate(spec.routes):
        for name in placeholders(route.reason):
            if name not in values:
                yield problem(
                    f"routes[{index}].reason",
                    f"占位符 {{{name}}} 没有值（可用：{'、'.join(sorted(values))}）",
                )
    clock_values = values | {"due", "start", "done_on", "days"}
    for index, clock in enumerate(spec.clocks):
        where = f"clocks[{index}]"
        if clock.overdue_message:
            yield from severity(where, clock.wording, clock.severity, clock.severity_reason)
        for part, template in (
            ("what", clock.what),
            ("overdue_message", clock.overdue_message),
            ("hint", clock.hint),
        ):
            for name in placeholders(template):
                if name not in clock_values:
                    yield problem(
                        f"{where}.{part}",
                        f"占位符 {{{name}}} 没有值（可用：{'、'.join(sorted(clock_values))}）",
                    )
    if spec.waivable_by is not None:
        if spec.waivable_by not in pack.roles:
            yield problem("waivable_by", f"未定义的角色 {spec.waivable_by!r}（见 roles.yaml）")
        soft = [c for c in spec.checks if c.wording and wording_severity(c.wording) == "warning"]
        if not soft:
            yield problem(
                "waivable_by",
                "只有条款本身允许例外（原则上、一般……）的要求才能豁免：本规则没有这样的 wording",
            )


def lint(packs: Sequence[PolicyPack]) -> Iterator[LintProblem]:
    for pack in packs:
        for rule in pack.rules:
            yield from lint_rule(pack, rule)
