"""`govsite record`: at merge, transcribe approvals given as forge reviews into signed statements.

A review with the fixed phrase (`govsite 同意 <角色>`) is vouched for by the forge only. So that a clone
can still verify it years later on another forge, the merge workflow — running the base's code,
with the registry's recorder key — writes each such review as a statement under approvals/, naming
the review it came from (`via`) and signed by the recorder. The audit accepts it when the recorder's
key (in the reviewer file) verifies it and the review's forge account is the person's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from govsite.approvals.gather import Context, ForgeInput, phrase_statements
from govsite.approvals.signing import scheme
from govsite.approvals.statement import SignatureSpec, SignedStatement, statement_path
from govsite.gitio import open_repo, resolve
from govsite.pullrequest import check_pull_request, load_base_packs


def record(root: Path, base: str, head: str, forge: ForgeInput, key: Path, today: dt.date) -> list[Path]:
    """Write the transcriptions of `forge`'s phrase reviews of the merge `base..head`; return the files."""
    repo = open_repo(root)
    base_sha, head_sha = resolve(repo, base), resolve(repo, head)
    run = check_pull_request(root, base_sha, head_sha, today)
    packs, reviewers = load_base_packs(repo, base_sha)
    context = Context(repo, base_sha, head_sha, head_sha, packs, reviewers, forge)
    ssh = scheme("ssh")
    assert ssh is not None
    written = []
    for found in phrase_statements(context, run.projects):
        if found.signed is None:
            continue
        statement = found.signed.statement
        signed = SignedStatement(
            statement=statement,
            signature=SignatureSpec(
                scheme="ssh", value=ssh.sign(statement.canonical(), key), signer="recorder"
            ),
        )
        project = next((r.project for r in run.projects if r.path == statement.path), None)
        target = root / statement_path(statement, project.district.value if project else None)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(signed.to_json(), encoding="utf-8")
        written.append(target)
    return written
