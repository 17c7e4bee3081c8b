"""Example files in tests/cases/validate: each `<case>.yaml` has its exact expected output in `<case>.out`.

Regenerate after an intended change with GOVSITE_UPDATE_GOLDEN=1 and read the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import REPO, govsite

CASES = Path(__file__).parent / "cases" / "validate"
TODAY = "2025-12-02"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.glob("*.yaml")))
def test_validate_output_is_exact(case: str) -> None:
    done = govsite("validate", "--policies", str(REPO / "policies"), "--today", TODAY, case, cwd=CASES)
    golden = CASES / case.replace(".yaml", ".out")
    if os.environ.get("GOVSITE_UPDATE_GOLDEN"):
        golden.write_text(done.stdout, encoding="utf-8")
    assert done.stderr == ""
    assert done.stdout == golden.read_text(encoding="utf-8")
    # valid-…: no finding that fails the run; warning-…: findings that only warn; the rest: errors
    expected_code = 0 if case.startswith(("valid-", "warning-")) else 1
    assert done.returncode == expected_code


def test_every_invalid_case_names_file_line_and_column() -> None:
    for golden in CASES.glob("*.out"):
        if golden.name.startswith(("valid-", "warning-")):
            continue
        first = next(line for line in golden.read_text(encoding="utf-8").splitlines() if ": 错误 [" in line)
        location = first.split(": 错误 [")[0]
        path, line, column = location.rsplit(":", 2)
        assert path == golden.name.replace(".out", ".yaml")
        assert int(line) >= 1 and int(column) >= 1
