"""Calendars as data: a registry transcribes a State Council notice for a year nobody ships yet, and
deadlines that ran provisionally on weekdays become exact."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from support import base_project, govsite, make_registry

from govsite.errors import GovsiteError
from govsite.workdays import load_calendars

D = dt.date
# As the notice for 2027 might read (a transcription for the test; the real one decides).
NOTICE_2027 = """year: 2027
notice: 国务院办公厅关于2027年部分节假日安排的通知
document_number: 国办发明电〔2026〕9号
issued: 2026-11-04
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - {name: 春节, from: 2027-02-05, to: 2027-02-13}
workdays: [2027-02-14]
"""


def registry_with_a_2027_clock(tmp_path: Path) -> Path:
    project = base_project()
    # declared on the last working day of 2026: the 5-working-day intake clock (MH-09) runs into 2027
    project["stages"] = [{"stage": "declared", "date": "2026-12-31"}]
    project["stage"] = "declared"
    return make_registry(tmp_path, {"submissions/minhang/MH-2026-001.yaml": project})


def intake(root: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    done = govsite("validate", "--format", "json", "--today", "2027-01-02", cwd=root)
    assert done.returncode in (0, 1), done.stderr
    [project] = json.loads(done.stdout)["projects"]
    [clock] = [d for d in project["deadlines"] if d["rule"] == "MH-09"]
    return clock, [f for f in project["findings"] if f["rule"] == "calendar"]


def test_a_clock_into_an_unknown_year_is_provisional_with_a_warning_then_exact(tmp_path: Path) -> None:
    root = registry_with_a_2027_clock(tmp_path)
    clock, warnings = intake(root)
    # Thu 31 Dec + 5 on weekdays alone: Fri 1 Jan (not known to be a holiday), Mon 4 … Thu 7
    assert (clock["due"], clock["provisional"]) == ("2027-01-07", True)
    [warning] = warnings
    assert warning["severity"] == "warning" and warning["article"] == "第十五条"
    assert "尚无 2027 年的节假日安排（《国务院办公厅关于2027年部分节假日安排的通知》）" in warning["message"]
    assert "calendars/2027.yaml" in warning["hint"]

    (root / "calendars").mkdir()
    (root / "calendars" / "2027.yaml").write_text(NOTICE_2027, encoding="utf-8")
    clock, warnings = intake(root)
    # with the notice: 1–3 Jan off, so Mon 4 … Fri 8
    assert (clock["due"], clock["provisional"], warnings) == ("2027-01-08", False, [])


def test_the_registrys_notice_decides_the_days(tmp_path: Path) -> None:
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "2027.yaml").write_text(NOTICE_2027, encoding="utf-8")
    calendar = load_calendars(tmp_path / "calendars")
    assert not calendar.is_working_day(D(2027, 2, 8))  # Monday inside the Spring Festival
    assert calendar.is_working_day(D(2027, 2, 14))  # the make-up Sunday
    due, unknown = calendar.add_working_days(D(2027, 2, 4), 2)
    assert (due, unknown) == (D(2027, 2, 15), frozenset())  # Sun 14 (worked), Mon 15


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (NOTICE_2027.replace("workdays: [2027-02-14]", "workdays: [2027-02-15]"), "不是周末"),
        (NOTICE_2027.replace("to: 2027-01-03", "to: 2026-12-30"), "早于"),
        (NOTICE_2027.replace("document_number: 国办发明电〔2026〕9号\n", ""), "缺少必填字段"),
        (NOTICE_2027.replace("2027-02-14", "2027-02-13"), "既写在放假中，又写在调休上班中"),
    ],
)
def test_a_wrong_transcription_is_refused_with_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "2027.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(GovsiteError) as raised:
        load_calendars(tmp_path / "calendars")
    assert str(raised.value).startswith("calendars/2027.yaml:") and message in str(raised.value)


def test_the_file_name_is_the_year(tmp_path: Path) -> None:
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "2028.yaml").write_text(NOTICE_2027, encoding="utf-8")
    with pytest.raises(GovsiteError, match=r"文件名应为 2027\.yaml"):
        load_calendars(tmp_path / "calendars")
