"""Every article accounted for: which rules enforce each article of a regulation, or why none does.

An article counts as enforced when a rule cites it, a lifecycle step names it (who decides which
step under which article), or the pack's transition clause rests on it. Every other article must
carry a reason in the pack's `coverage.yaml` (`ArticleNote`): it sets no duty, it is an agency's
internal duty, the facts it needs are not in the registry, or it is a gap govsite has not closed
yet. `govsite policy test` fails on an article that is neither, and on a reason left behind for an
article a rule now cites. `docs/coverage.md` is generated from the packs (`govsite policy coverage`).
Pure: no files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from govsite.policy.pack import UNCITED_KINDS, Article, ArticleNote, PolicyPack, cite
from govsite.vocabulary import Stage, label


@dataclass(frozen=True)
class ArticleCoverage:
    article: Article
    rules: tuple[str, ...]  # rule ids citing it
    steps: tuple[str, ...]  # lifecycle steps naming it: "declared → intake"
    note: ArticleNote | None

    @property
    def enforced(self) -> bool:
        return bool(self.rules or self.steps)


@dataclass(frozen=True)
class CoverageProblem:
    pack: str
    article: str
    message: str

    @property
    def test_id(self) -> str:
        return f"{self.pack}/coverage/{self.article}"


def pack_coverage(pack: PolicyPack) -> list[ArticleCoverage]:
    """Each article of the pack in its order, with what enforces it or why nothing does."""
    rules: dict[str, list[str]] = {}
    for rule in pack.rules:
        for article in rule.spec.articles:
            rules.setdefault(article, []).append(rule.spec.id)
    steps: dict[str, list[str]] = {}
    for transition in pack.lifecycle.transitions:
        if transition.article:
            # suspension and termination are possible from many stages: one entry each, not one per stage
            if transition.resumes:
                step = "暂停后恢复"
            elif transition.target in (Stage.SUSPENDED, Stage.TERMINATED):
                step = f"→ {label(transition.target)}"
            else:
                step = f"{label(transition.source)} → {label(transition.target)}"
            if step not in steps.setdefault(transition.article, []):
                steps[transition.article].append(step)
    clause = pack.meta.transition
    if clause is not None and clause.article:
        steps.setdefault(clause.article, []).append("新旧政策衔接")
    return [
        ArticleCoverage(
            article,
            tuple(rules.get(article.id, ())),
            tuple(steps.get(article.id, ())),
            pack.uncited.get(article.id),
        )
        for article in pack.articles
    ]


def coverage_problems(pack: PolicyPack) -> Iterator[CoverageProblem]:
    """Every article is cited by a rule or a lifecycle step, or explained in coverage.yaml — not both."""
    for item in pack_coverage(pack):
        where = f"{pack.path.name}/coverage.yaml"
        if not item.enforced and item.note is None:
            yield CoverageProblem(
                pack.id,
                item.article.id,
                f"{cite(item.article.id)}（{item.article.title or '无标题'}）既没有规则引用，"
                f"也没有在 {where} 中说明原因：写一条规则引用它，或在 {where} 中记下为什么不能检查",
            )
        elif item.enforced and item.note is not None:
            by = "、".join([*item.rules, *item.steps])
            yield CoverageProblem(
                pack.id,
                item.article.id,
                f"{cite(item.article.id)} 已由 {by} 引用，{where} 中“{item.note.kind_label}”的说明已过时：删除它",
            )


def counts(pack: PolicyPack) -> Counter[str]:
    """`enforced` and each uncited kind → number of articles."""
    tally: Counter[str] = Counter()
    for item in pack_coverage(pack):
        tally["enforced" if item.enforced else item.note.kind if item.note else "unexplained"] += 1
    return tally


def _cell(text: str) -> str:
    """Text for one Markdown table cell: pipes escaped, lines joined."""
    return " ".join(text.split()).replace("|", "\\|")


def coverage_markdown(packs: Sequence[PolicyPack]) -> str:
    """docs/coverage.md: per regulation, the counts, then every article with its rules or its reason."""
    ordered = sorted(packs, key=lambda p: p.id)
    kinds = list(UNCITED_KINDS)
    lines = [
        "# 条款覆盖：每一条条款由哪些规则检查，或者为什么不检查",
        "",
        "本页由 `govsite policy coverage` 从政策包生成，不要手工修改（`./dev test` 检查它与政策包一致）。",
        "一条条款算作“已检查”，是指有规则引用它（`rules/*.yaml` 的 `articles`），或生命周期的某一步以它为依据"
        "（`lifecycle.yaml` 的 `article`）。其余每一条都在政策包的 `coverage.yaml` 中记下原因，"
        "`govsite policy test` 对既没有引用也没有说明的条款报错。",
        "",
        "原因分四类："
        + "；".join(f"**{UNCITED_KINDS[k]}**（`{k}`）" for k in kinds)
        + "。“可以检查，尚无规则”是 govsite 的缺口，不是条款本身的性质。",
        "",
        "| 政策 | 条款 | 已检查 | " + " | ".join(UNCITED_KINDS[k] for k in kinds) + " |",
        "|---|--:|--:|" + "--:|" * len(kinds),
    ]
    for pack in ordered:
        tally = counts(pack)
        lines.append(
            f"| [{_cell(pack.meta.document_number)}](#{pack.id}) | {len(pack.articles)} | {tally['enforced']} | "
            + " | ".join(str(tally[k]) for k in kinds)
            + " |"
        )
    for pack in ordered:
        lines += [
            "",
            f'<a id="{pack.id}"></a>',
            "",
            f"## {_cell(pack.meta.title)}（{_cell(pack.meta.document_number)}）",
            "",
            "| 条款 | 标题 | 检查它的规则或环节 | 未检查的原因 |",
            "|---|---|---|---|",
        ]
        for item in pack_coverage(pack):
            enforced = "、".join([f"`{r}`" for r in item.rules] + [_cell(s) for s in item.steps])
            reason = f"{item.note.kind_label}：{_cell(item.note.reason)}" if item.note else ""
            lines.append(
                f"| {_cell(cite(item.article.id))} | {_cell(item.article.title)} | {enforced or '—'} | {reason or '—'} |"
            )
    return "\n".join(lines) + "\n"
