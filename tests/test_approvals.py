"""Approvals end to end: real git repositories, real SSH keys, the real CLI.

A department opens pull requests, reviewers sign with their own keys, branches are merged as a forge
would, and `govsite audit` — from nothing but the clone — says whether every merged step was
approved by the people who held the roles the regulation names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from approval_support import (
    MINHANG_ROLES,
    Registry,
    advanced,
    declaration,
    new_registry,
    people,
    reviewers_yaml,
)
from support import govsite

PROJECT = "MH-2026-002"
FILE = f"submissions/minhang/{PROJECT}.yaml"
HOLDER = {
    "data_bureau": "zhang.san",
    "finance_bureau": "li.si",
    "budget_authority": "zhao.liu",
    "maintainers": "wang.wu",
}


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture
def registry(tmp_path: Path, keys: Path) -> Registry:
    return new_registry(tmp_path / "registry", keys)


def approve_all(registry: Registry, target: str = PROJECT) -> list[str]:
    roles = registry.required(target)
    for role in roles:
        done = registry.approve(target, role, HOLDER[role])
        assert done.returncode == 0, done.stderr
    return roles


def declare(registry: Registry, how: str = "squash") -> None:
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    approve_all(registry)
    registry.merge("declare", how)


def advance(registry: Registry, branch: str, stage: str, date: str, **extra: Any) -> None:
    import yaml

    current = yaml.safe_load((registry.root / FILE).read_text(encoding="utf-8"))
    registry.pull_request(branch, lambda root: registry.write(FILE, advanced(current, stage, date, **extra)))


def findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for event in report["events"] for f in event["findings"]]


@pytest.mark.parametrize("how", ["squash", "merge", "rebase"])
def test_a_declaration_and_a_stage_advance_approved_by_the_right_people_pass_audit(
    registry: Registry, how: str
) -> None:
    declare(registry, how)
    advance(registry, "intake", "intake", "2026-03-05", ref="闵数受〔2026〕3号")
    roles = approve_all(registry)
    assert "data_bureau" in roles
    registry.merge("intake", how)

    code, report, text = registry.audit()

    assert code == 0, text
    audited = [e for e in report["events"] if e["project"] == PROJECT and not e["before_audit"]]
    assert [e["what"] for e in audited] == ["新项目：申报", "申报 → 受理"]
    for event in audited:
        for role in event["decision"]["roles"]:
            assert role["state"] == "approved"
            assert role["approvals"][0]["person"] == HOLDER[role["role"]]
    assert "全部有有效的审批" in text


def test_check_shows_what_must_be_decided_by_whom_and_by_when(registry: Registry) -> None:
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))

    _code, report = registry.check("--today", "2026-03-04")
    [project] = report["projects"]
    decision = project["decision"]
    assert decision["subject"] == {"kind": "declaration", "from": None, "to": "declared", "changes": []}
    [bureau] = [r for r in decision["roles"] if r["role"] == "data_bureau"]
    assert (
        bureau["role_name"] == "区数据局"
        and bureau["state"] == "missing"
        and bureau["holders"] == ["zhang.san"]
    )
    assert (bureau["due"], bureau["due_rule"], bureau["due_status"]) == ("2026-03-09", "MH-09", "pending")
    assert {"rule": "MH-09", "article": "第十五条"}.items() <= next(
        b for b in bureau["basis"] if b["rule"] == "MH-09"
    ).items()
    assert decision["complete"] is False

    # the required status check fails until every role has approved the current version …
    strict, _ = registry.check("--today", "2026-03-04", "--require-approvals")
    assert strict == 1
    text = govsite("check", "--base", "main", "--today", "2026-03-04", cwd=registry.root).stdout
    assert "待决定：新项目：申报" in text
    assert "- 区数据局 [" in text and "应于 2026-03-09 前决定（MH-09，待办） —— 待审批" in text
    summary = govsite(
        "check", "--base", "main", "--today", "2026-03-04", "--format", "markdown", cwd=registry.root
    ).stdout
    assert "| 须审批 | 依据 | 时限 | 状态 |" in summary and "| 区数据局 |" in summary

    approve_all(registry)
    strict, report = registry.check("--today", "2026-03-04", "--require-approvals")
    assert strict == 0
    [bureau] = [r for r in report["projects"][0]["decision"]["roles"] if r["role"] == "data_bureau"]
    assert bureau["state"] == "approved" and bureau["approvals"][0]["person"] == "zhang.san"
    text = govsite("check", "--base", "main", "--today", "2026-03-04", cwd=registry.root).stdout
    assert "已全部同意" in text and "已同意：zhang.san 2026-03-04" in text


def test_errors_come_before_the_decision_and_a_change_reads_as_a_change(registry: Registry) -> None:
    declare(registry)
    advance(registry, "jump", "approved", "2026-03-05")
    text = govsite("check", "--base", "main", "--today", "2026-03-06", cwd=registry.root).stdout
    lines = text.splitlines()
    error = next(i for i, line in enumerate(lines) if "不允许从“申报”直接进入“批复”" in line)
    pending = next(i for i, line in enumerate(lines) if line.strip().startswith("待决定"))
    assert error < pending and "先改正上面的错误" in lines[pending]

    import yaml

    current = yaml.safe_load((registry.root / FILE).read_text(encoding="utf-8"))
    git_main = registry.root
    registry.pull_request(
        "fix", lambda root: registry.write(FILE, {**declaration(), "summary": "补充建设内容摘要。"})
    )
    text = govsite("check", "--base", "main", "--today", "2026-03-06", cwd=git_main).stdout
    assert "修改项目文件（不是阶段推进或变更）" in text and "阶段：申报 → 申报" not in text
    assert current["stage"] == "approved"


def test_a_merge_missing_a_role_is_flagged_with_rule_and_article(registry: Registry) -> None:
    declare(registry)
    advance(registry, "intake", "intake", "2026-03-05")
    registry.merge("intake")

    code, report, text = registry.audit()

    assert code == 1
    [missing] = findings(report)
    assert (missing["rule"], missing["article"]) == ("lifecycle", "第十五条")
    assert "区数据局没有审批" in missing["message"] and PROJECT in missing["message"]
    commit = next(e["commit"] for e in report["events"] if e["findings"])
    assert text.startswith(f"{commit[:12]}:{PROJECT}: 错误 [lifecycle 第十五条]")


def test_an_approval_by_someone_outside_the_role_does_not_count(registry: Registry) -> None:
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    assert registry.approve(PROJECT, "data_bureau", "li.si").returncode == 0  # 李四 is the finance bureau's
    _, report = registry.check()
    [bureau] = [r for r in report["projects"][0]["decision"]["roles"] if r["role"] == "data_bureau"]
    assert bureau["state"] == "missing" and "不担任此角色" in bureau["problems"][0]
    registry.merge("declare")
    code, report, _ = registry.audit()
    assert code == 1 and "不担任此角色" in findings(report)[0]["message"]


def test_an_approval_of_an_older_version_followed_by_a_push_is_stale(registry: Registry) -> None:
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    approve_all(registry)
    registry.write(FILE, declaration(summary="批准之后又改了内容。"))
    registry.commit("批准后再改")
    _, report = registry.check()
    [bureau] = [r for r in report["projects"][0]["decision"]["roles"] if r["role"] == "data_bureau"]
    assert bureau["state"] == "stale" and bureau["stale"][0]["person"] == "zhang.san"
    registry.merge("declare")
    code, report, _ = registry.audit()
    assert code == 1 and "审批的是另一个版本" in findings(report)[0]["message"]


def test_a_reviewer_added_in_the_same_pull_request_does_not_count(registry: Registry) -> None:
    def declare_and_enrol(root: Path) -> None:
        registry.write(FILE, declaration())
        # qian.qi (the outsider) adds themselves to the file and to the data bureau's role
        roles = {"minhang": {**MINHANG_ROLES["minhang"], "data_bureau": ["qian.qi"]}}
        (root / "reviewers.yaml").write_text(
            reviewers_yaml(registry.team, roles, outsider=True), encoding="utf-8"
        )

    registry.pull_request("declare", declare_and_enrol)
    assert registry.approve(PROJECT, "data_bureau", "qian.qi").returncode != 0  # not in the base's file
    statement = _statement_signed_by(registry, "qian.qi")
    _, report = registry.check()
    [bureau] = [
        r
        for r in next(p for p in report["projects"] if p["path"] == FILE)["decision"]["roles"]
        if r["role"] == "data_bureau"
    ]
    assert bureau["state"] == "missing" and any("不在审核人员名册中" in p for p in bureau["problems"]), bureau
    protected = next(p for p in report["projects"] if p["path"] == "reviewers.yaml")
    assert protected["decision"]["roles"][0]["role"] == "maintainers"
    registry.merge("declare")
    code, report, _ = registry.audit()
    assert code == 1 and statement.exists()
    messages = " ".join(f["message"] for f in findings(report))
    assert "qian.qi 不在审核人员名册中" in messages


def _statement_signed_by(registry: Registry, person_id: str) -> Path:
    """A statement signed with the person's real key, written by hand (govsite approve refuses them)."""
    from govsite.approvals.signing import SshScheme
    from govsite.approvals.statement import (
        SignatureSpec,
        SignedStatement,
        Statement,
        SubjectSpec,
        statement_path,
    )

    blob = subprocess_text(registry.root, "git", "rev-parse", f"HEAD:{FILE}")
    statement = Statement.model_validate(
        {
            "project": PROJECT,
            "path": FILE,
            "blob": blob,
            "subject": SubjectSpec(kind="declaration", target="declared"),
            "role": "data_bureau",
            "person": person_id,
            "time": registry.now(),
            "decision": "approve",
        }
    )
    person = registry.team[person_id]
    signed = SignedStatement(
        statement=statement,
        signature=SignatureSpec(
            scheme="ssh", value=SshScheme().sign(statement.canonical(), person.key), signer=person_id
        ),
    )
    target = registry.root / statement_path(statement, "minhang")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(signed.to_json(), encoding="utf-8")
    registry.commit("审批", person.email)
    return target


def subprocess_text(root: Path, *command: str) -> str:
    import subprocess

    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("edit", ["opinion", "blob", "person"])
def test_a_forged_or_edited_statement_is_invalid(registry: Registry, edit: str) -> None:
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    approve_all(registry)
    [path] = list((registry.root / "approvals").rglob("*data_bureau*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    if edit == "opinion":
        data["statement"]["opinion"] = "不同意（被人改过）"
    elif edit == "blob":
        data["statement"]["blob"] = "f" * 40
    else:
        data["statement"]["person"] = "li.si"
        data["signature"]["signer"] = "li.si"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    registry.commit("改审批记录")
    registry.merge("declare")
    code, report, _ = registry.audit()
    assert code == 1
    assert "签名无效" in " ".join(f["message"] for f in findings(report))


def test_a_signature_by_an_unlisted_key_is_invalid(registry: Registry) -> None:
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    outsider = registry.team["qian.qi"].key
    assert registry.approve(PROJECT, "data_bureau", "zhang.san", key=outsider).returncode == 0
    registry.merge("declare")
    code, report, _ = registry.audit()
    assert code == 1 and "签名无效" in findings(report)[0]["message"]


def test_a_rejection_recorded_as_the_last_decision_fails_the_audit(registry: Registry) -> None:
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    approve_all(registry)
    assert registry.approve(PROJECT, "data_bureau", "zhang.san", decision="reject").returncode == 0
    _, report = registry.check()
    [bureau] = [r for r in report["projects"][0]["decision"]["roles"] if r["role"] == "data_bureau"]
    assert bureau["state"] == "rejected"
    registry.merge("declare")
    code, report, _ = registry.audit()
    assert code == 1 and "最后的决定是不同意" in findings(report)[0]["message"]


def test_nobody_approves_their_own_declaration(registry: Registry) -> None:
    zhang = registry.team["zhang.san"]
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()), email=zhang.email)
    assert registry.approve(PROJECT, "data_bureau", "zhang.san").returncode == 0
    _, report = registry.check()
    [bureau] = [r for r in report["projects"][0]["decision"]["roles"] if r["role"] == "data_bureau"]
    assert bureau["state"] == "missing" and "不能审批自己的申报" in bureau["problems"][0]
    registry.merge("declare")
    code, report, _ = registry.audit()
    assert code == 1 and "不能审批自己的申报" in findings(report)[0]["message"]


def test_a_policy_change_needs_the_maintainers(registry: Registry) -> None:
    rule = "policies/minhang-2025/rules/MH-08.yaml"

    def tighten(root: Path) -> None:
        path = root / rule
        path.write_text(
            path.read_text(encoding="utf-8").replace("title:", "title: （修订）", 1), encoding="utf-8"
        )

    registry.pull_request("policy", tighten)
    assert registry.required(rule) == ["maintainers"]
    assert registry.approve(rule, "maintainers", "wang.wu").returncode == 0
    strict, _ = registry.check("--require-approvals")
    assert strict == 0
    registry.merge("policy")
    code, _, text = registry.audit()
    assert code == 0, text


def test_a_registry_adopting_govsite_midway_declares_where_the_audit_starts(registry: Registry) -> None:
    # history from before: a project merged with no approvals at all
    registry.pull_request("old", lambda root: registry.write(FILE, declaration()))
    registry.merge("old")
    code, _, _ = registry.audit()
    assert code == 1
    start = subprocess_text(registry.root, "git", "rev-parse", "HEAD")
    (registry.root / "govsite.toml").write_text(f'[audit]\nfrom = "{start}"\n', encoding="utf-8")
    registry.commit("从此记录审批")
    code, report, _text = registry.audit()
    old = [e for e in report["events"] if e["project"] == PROJECT]
    assert old and all(e["before_audit"] for e in old[:-1])
    assert code == 1  # the start commit itself is audited: it merged without approvals
    (registry.root / "govsite.toml").write_text(f'[audit]\nfrom = "{start}~0"\n', encoding="utf-8")


def test_approvals_are_append_only(registry: Registry) -> None:
    declare(registry)
    [path] = list((registry.root / "approvals").rglob("*.json"))
    registry.pull_request("erase", lambda root: path.unlink())
    code, report = registry.check()
    assert code == 1
    [erased] = [p for p in report["projects"] if p["path"].startswith("approvals/")]
    assert "不能修改或删除" in erased["findings"][0]["message"]


def test_only_the_base_reviewer_file_counts(tmp_path: Path, keys: Path) -> None:
    """A role nobody holds is a finding, and it cannot be filled from the pull request."""
    registry = new_registry(tmp_path / "r", keys, roles={"minhang": {}})
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    _code, report = registry.check()
    [project] = report["projects"]
    assert any(f["rule"] == "approval" and "没有人担任此角色" in f["message"] for f in project["findings"])
    assert {r["state"] for r in project["decision"]["roles"]} == {"unassigned"}
    _ = people(keys)


def github_review(registry: Registry, login: str, body: str, state: str = "APPROVED") -> dict[str, Any]:
    """A review object as GitHub's REST API returns it (tests/forge/reviews.json has the full shape)."""
    head = subprocess_text(registry.root, "git", "rev-parse", "HEAD")
    review: dict[str, Any] = json.loads(
        (Path(__file__).parent / "forge" / "reviews.json").read_text(encoding="utf-8")
    )[0]
    review.update(body=body, state=state, commit_id=head, submitted_at="2026-03-04T02:30:00Z")
    review["user"]["login"] = login
    return review


def test_a_review_with_the_fixed_phrase_approves_and_is_recorded_at_merge(tmp_path: Path, keys: Path) -> None:
    from approval_support import make_key

    recorder = make_key(keys, "recorder")
    registry = new_registry(tmp_path / "registry", keys, recorder=recorder)
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    roles = registry.required(PROJECT)
    reviews = [
        github_review(registry, registry.team[HOLDER[role]].login, f"govsite 同意 {role}\n同意。")
        for role in roles
    ]
    stranger = github_review(registry, "someone-else", "govsite 同意 data_bureau")
    reviews_file = tmp_path / "reviews.json"
    reviews_file.write_text(json.dumps([*reviews, stranger], ensure_ascii=False), encoding="utf-8")

    code, report = registry.check("--reviews", str(reviews_file), "--require-approvals")
    assert code == 0, report
    assert any("someone-else 不在审核人员名册中" in note for note in report["notes"])
    [bureau] = [r for r in report["projects"][0]["decision"]["roles"] if r["role"] == "data_bureau"]
    assert bureau["approvals"][0]["via"]["login"] == "zhangsan"

    # merged with nothing under approvals/: the audit cannot know about GitHub's reviews …
    registry.merge("declare")
    assert registry.audit()[0] == 1
    # … until the merge workflow transcribes them, signed with the registry's recorder key
    merge = subprocess_text(registry.root, "git", "rev-parse", "HEAD")
    done = govsite(
        "record",
        "--base",
        f"{merge}^",
        "--head",
        merge,
        "--reviews",
        str(reviews_file),
        "--key",
        str(recorder),
        "--today",
        registry.today,
        cwd=registry.root,
    )
    assert done.returncode == 0, done.stderr
    assert "已记录" in done.stdout
    registry.commit("记录审批", "recorder@example.gov.cn")
    code, report, text = registry.audit()
    assert code == 0, text
    [event] = [e for e in report["events"] if e["project"] == PROJECT]
    assert event["decision"]["roles"][0]["approvals"][0]["via"]["review"] == "80"


def test_another_signature_scheme_plugs_in_without_touching_statements_or_audit(registry: Registry) -> None:
    """SM2/SM3 (商用密码) would be registered like this test's scheme: statements name the scheme, and
    verification goes through the same interface."""
    import hashlib
    import hmac

    from govsite.approvals import signing
    from govsite.approvals.statement import (
        SignatureSpec,
        SignedStatement,
        Statement,
        SubjectSpec,
        parse_statement,
    )
    from govsite.approvals.status import verify
    from govsite.reviewers import Person as Listed
    from govsite.reviewers import Reviewers

    class KeyedHash:
        name = "test-hmac"

        def accepts(self, public_key: str) -> bool:
            return public_key.startswith("test-hmac ")

        def sign(self, payload: bytes, private_key: Path) -> str:
            return hmac.new(private_key.read_bytes(), payload, hashlib.sha256).hexdigest()

        def verify(self, payload: bytes, signature: str, principal: str, public_keys: Any) -> str | None:
            for key in public_keys:
                if self.accepts(key) and hmac.compare_digest(
                    hmac.new(key.removeprefix("test-hmac ").encode(), payload, hashlib.sha256).hexdigest(),
                    signature,
                ):
                    return None
            return "签名无效"

    secret = registry.root / "secret"
    secret.write_bytes(b"k")
    signing.register(KeyedHash())
    try:
        reviewers = Reviewers(
            people=[Listed(id="sun.ba", name="孙八", keys=["test-hmac k"])],
            roles={"minhang": {"data_bureau": ["sun.ba"]}},
        )
        statement = Statement(
            project=PROJECT,
            path=FILE,
            blob="b" * 40,
            subject=SubjectSpec(kind="declaration", target="declared"),
            role="data_bureau",
            person="sun.ba",
            time="2026-03-04T10:00:00+08:00",
            decision="approve",  # type: ignore[arg-type]
        )
        signed = SignedStatement(
            statement=statement,
            signature=SignatureSpec(
                scheme="test-hmac", value=KeyedHash().sign(statement.canonical(), secret), signer="sun.ba"
            ),
        )
        parsed = parse_statement(signed.to_json(), "approvals/x.json")
        assert verify(parsed, reviewers, "minhang", None).valid
        tampered = parse_statement(signed.to_json().replace("approve", "reject"), "approvals/x.json")
        assert not verify(tampered, reviewers, "minhang", None).valid
    finally:
        signing.SCHEMES.pop("test-hmac")


def test_history_under_packs_this_govsite_cannot_read_is_reported_not_fatal(registry: Registry) -> None:
    """A registry outlives govsite versions: a step merged while the packs named a rule this version
    no longer has is recorded as not verifiable (with what to do), and the rest of the history, the
    site and later steps are audited as usual."""
    rule = registry.root / "policies" / "minhang-2025" / "rules" / "MH-25.yaml"
    current = rule.read_text(encoding="utf-8")
    rule.write_text(
        current.replace("function: minhang_operation_system", "function: retired_rule"), encoding="utf-8"
    )
    assert "retired_rule" in rule.read_text(encoding="utf-8")
    registry.commit("旧版政策包", "setup@example.gov.cn")
    # merged while the packs were unreadable (check could not have run: it stops with exit code 2)
    registry.pull_request("declare", lambda root: registry.write(FILE, declaration()))
    registry.merge("declare")
    rule.write_text(current, encoding="utf-8")
    registry.commit("政策包升级", "setup@example.gov.cn")

    code, report, text = registry.audit()

    assert code == 1  # the protected-path error below
    [declared] = [e for e in report["events"] if e["project"] == PROJECT]
    [finding] = declared["findings"]
    assert finding["rule"] == "audit-packs" and finding["severity"] == "warning"
    assert "retired_rule" in finding["message"] and "govsite audit" in finding["hint"]
    # a warning: what cannot be verified is said, not counted as a breach (the one error is this
    # test's own unapproved edits of the packs)
    errors = {f["rule"] for f in findings(report) if f["severity"] == "error"}
    assert errors == {"protected-path"}, text
    line = next(
        number
        for number, text_line in enumerate(current.splitlines(), 1)
        if text_line.startswith("function: minhang_operation_system")
    )
    assert (
        "无法重新核验" in text
        and f"错误：policies/minhang-2025/rules/MH-25.yaml:{line}" in finding["message"]
    )


def _audit_json(registry: Registry, cache: bool = True) -> dict[str, Any]:
    env = {} if cache else {"GOVSITE_NO_CACHE": "1"}
    done = govsite("audit", "--branch", "main", "--format", "json", cwd=registry.root, env=env)
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _cached_events(registry: Registry, kind: str = "audit-event") -> int:
    import sqlite3
    from contextlib import closing

    database = registry.root / ".govsite-cache" / "cache.sqlite3"
    with closing(sqlite3.connect(database)) as connection:
        (count,) = connection.execute("SELECT count(*) FROM entries WHERE kind = ?", (kind,)).fetchone()
    return int(count)


def test_the_audit_of_a_new_tip_judges_only_what_changed(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A publish after each merge audits the whole history again: each merged change is cached under
    what judging it reads (the merge, its parent's packs and reviewers, the statements about the file),
    so a new tip judges only the new merge, and a statement recorded later is not missed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("GOVSITE_NO_CACHE", raising=False)
    declare(registry)
    first = _audit_json(registry)
    assert first == _audit_json(registry, cache=False)
    judged = _cached_events(registry)
    assert judged >= 1

    # a new merge, not approved: one more judged change, the earlier ones read back
    advance(registry, "intake", "intake", "2026-03-05", ref="闵数受〔2026〕3号")
    registry.merge("intake")
    second = _audit_json(registry)
    assert second == _audit_json(registry, cache=False)
    assert _cached_events(registry) == judged + 1
    assert second["events"][: len(first["events"])] == first["events"]
    assert findings(second) and not findings(first)

    # statements recorded on main after the merge reach the audit of the next tip (their digest is
    # part of the key): the cached audit still equals a fresh one
    done = registry.approve(PROJECT, "data_bureau", HOLDER["data_bureau"])
    third = _audit_json(registry)
    assert third == _audit_json(registry, cache=False)
    if done.returncode == 0:  # a statement was committed onto main: the judged change was looked at again
        assert _cached_events(registry) > judged + 1

    # the packs at each parent come from the cache by their content: a new tip parses none again
    import git

    import govsite.policy.pack as pack_module
    from govsite.audit import audit
    from govsite.cache import Cache

    parsed: list[object] = []
    real = pack_module.load_pack
    monkeypatch.setattr(pack_module, "load_pack", lambda *a, **k: parsed.append(a) or real(*a, **k))
    advance(registry, "in-library", "in_library", "2026-03-20", outcome="supported")
    registry.merge("in-library")
    assert audit(git.Repo(registry.root), "main", Cache(registry.root)).events
    assert parsed == []
