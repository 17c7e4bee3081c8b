"""Replay the sample registry as a history of merged pull requests with signed approvals.

Every stage record and every change of every sample project becomes one squash-merged pull request,
in date order across the registry. For each, the roles the regulation names are worked out as the
check does (`judge_change` → `required_decisions`) under the policies in force, and a reviewer who
holds each role signs the exact blob with their own key (made for the test). A few projects are
replayed wrongly on purpose, to show the audit's findings.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from approval_support import make_key
from support import POLICIES, REPO, dump_yaml

from govsite.approvals.required import required_decisions
from govsite.approvals.signing import SshScheme
from govsite.approvals.statement import (
    BasisSpec,
    SignatureSpec,
    SignedStatement,
    Statement,
    SubjectSpec,
    statement_path,
)
from govsite.judge import judge_change
from govsite.model import Project
from govsite.policy.pack import load_packs
from govsite.validation import validate_project
from govsite.yamlload import load_text

DEPARTMENT = "dept@example.gov.cn"
# replayed wrongly on purpose: (project, step index) → what goes wrong
UNAPPROVED = ("MH-2025-010", 1)  # its intake is merged with no approval at all
STALE = ("QP-2025-001", 2)  # approved, then changed before the merge


@dataclass(frozen=True)
class Step:
    day: dt.date
    project: str
    index: int
    path: str
    data: dict[str, Any]


def git_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def sample_files() -> list[Path]:
    return sorted(p for p in (REPO / "submissions").glob("*/*.yaml"))


def versions(path: Path) -> list[Step]:
    """The project as it stood after each of its stage records and changes, oldest first."""
    final = yaml.safe_load(path.read_text(encoding="utf-8"))
    relative = path.relative_to(REPO).as_posix()
    events: list[tuple[dt.date, int, str, int]] = [
        (s["date"], 0, "stage", i) for i, s in enumerate(final["stages"])
    ]
    events += [(c["date"], 1, "change", i) for i, c in enumerate(final.get("changes", []))]
    events.sort()
    steps, stages, changes = [], 0, 0
    for day, _order, kind, _i in events:
        if kind == "stage":
            stages += 1
        else:
            changes += 1
        if stages == 0:
            continue  # a change before any record (not in the samples)
        data = copy.deepcopy(final)
        data["stages"] = final["stages"][:stages]
        data["stage"] = data["stages"][-1]["stage"]
        data["changes"] = final.get("changes", [])[:changes]
        steps.append(Step(day, final["id"], len(steps), relative, data))
    return steps


@dataclass
class Replay:
    root: Path
    keys: Path
    people: dict[str, Path] = field(default_factory=dict)  # person id → private key
    merged: dict[str, list[str]] = field(default_factory=dict)  # project → commit per step

    def person_for(self, district: str) -> str:
        return f"reviewer.{district}"


def _reviewers(replay: Replay, packs: list[Any], authorities: dict[str, set[str]]) -> str:
    people, roles = [], {}
    for district in sorted({p.meta.district.value for p in packs}):
        person = replay.person_for(district)
        key = make_key(replay.keys, person)
        replay.people[person] = key
        people.append(
            {
                "id": person,
                "name": f"{district}审核人",
                "keys": [Path(f"{key}.pub").read_text(encoding="ascii").strip()],
            }
        )
        held: dict[str, Any] = {}
        for pack in packs:
            if pack.meta.district.value == district:
                for role in pack.roles:
                    held[role] = [person]
        held["budget_authority"] = {name: [person] for name in sorted(authorities.get(district, ()))}
        roles[district] = held
    maintainer = make_key(replay.keys, "maintainer")
    replay.people["maintainer"] = maintainer
    people.append(
        {
            "id": "maintainer",
            "name": "维护人员",
            "keys": [Path(f"{maintainer}.pub").read_text(encoding="ascii").strip()],
        }
    )
    return dump_yaml({"maintainers": {"people": ["maintainer"]}, "people": people, "roles": roles})


def _git(root: Path, *args: str, day: dt.date | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "部门",
        "GIT_AUTHOR_EMAIL": DEPARTMENT,
        "GIT_COMMITTER_NAME": "登记册",
        "GIT_COMMITTER_EMAIL": "registry@example.gov.cn",
    }
    if day is not None:
        stamp = f"{day.isoformat()}T18:00:00+08:00"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    return subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    ).stdout


def replay_samples(root: Path, keys: Path) -> Replay:
    replay = Replay(root, keys)
    packs = load_packs(POLICIES)
    steps = sorted(
        (s for path in sample_files() for s in versions(path)), key=lambda s: (s.day, s.project, s.index)
    )
    authorities: dict[str, set[str]] = {}
    for step in steps:
        authorities.setdefault(step.data["district"], set()).add(step.data["budget_authority"])
    root.mkdir(parents=True)
    shutil.copytree(POLICIES, root / "policies")
    shutil.copytree(REPO / "submissions/gongshu/plans", root / "submissions/gongshu/plans")  # documents
    (root / "reviewers.yaml").write_text(_reviewers(replay, packs, authorities), encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "设立登记册", day=steps[0].day - dt.timedelta(days=1))
    ssh = SshScheme()
    previous: dict[str, Project | None] = {}
    for step in steps:
        text = dump_yaml(step.data)
        raw = text.encode("utf-8")
        doc = load_text(text, step.path)
        base = previous.get(step.path)
        result = judge_change(doc, base, packs, step.day)
        project = result.project
        assert project is not None and result.subject is not None, (
            step.path,
            [f.message for f in result.findings],
        )
        pack = next((p for p in packs if result.policy and p.id == result.policy.id), None)
        requirements, _later = required_decisions(
            result.subject, result.route, result.deadlines, pack, project.type.value, project.budget_authority
        )
        (root / step.path).parent.mkdir(parents=True, exist_ok=True)
        wrong = (step.project, step.index)
        approved_blob = git_blob(raw)
        if wrong == STALE:  # the reviewer signs a version the department then changes again
            approved_blob = git_blob(raw + b"# \xe6\x94\xb9\n")
        if wrong != UNAPPROVED:
            for number, requirement in enumerate(requirements):
                person = replay.person_for(project.district.value)
                statement = Statement(
                    project=project.id,
                    path=step.path,
                    blob=approved_blob,
                    subject=SubjectSpec(
                        kind=result.subject.kind,
                        source=result.subject.source,
                        target=result.subject.target,
                        changes=list(result.subject.changes),
                    ),
                    basis=[BasisSpec(rule=b.rule, article=b.article) for b in requirement.basis],
                    role=requirement.role,
                    person=person,
                    time=dt.datetime.combine(
                        step.day, dt.time(10, number), dt.timezone(dt.timedelta(hours=8))
                    ),
                    decision="approve",
                )
                signed = SignedStatement(
                    statement=statement,
                    signature=SignatureSpec(
                        scheme="ssh",
                        value=ssh.sign(statement.canonical(), replay.people[person]),
                        signer=person,
                    ),
                )
                target = root / statement_path(statement, project.district.value)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(signed.to_json(), encoding="utf-8")
        (root / step.path).write_bytes(raw)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"{step.project} 第 {step.index + 1} 步（合并请求）", day=step.day)
        replay.merged.setdefault(step.project, []).append(_git(root, "rev-parse", "HEAD").strip())
        previous[step.path], _ = validate_project(doc)
    return replay
