"""govsite's workbook writer, read back by openpyxl (a reader that shares no code with it)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from test_site_escape import HOSTILE

from govsite.site.spreadsheet import column_letters, workbook

WHEN = dt.datetime(2026, 12, 4)
XSS = [
    line
    for line in (Path(__file__).parent / "hostile" / "xss.txt").read_text(encoding="utf-8").splitlines()
    if line
]


def _xml_char(c: str) -> bool:
    """XML 1.0's `Char` production, written out from the specification."""
    o = ord(c)
    return o in (0x9, 0xA, 0xD) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or 0x10000 <= o <= 0x10FFFF


def _read(data: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_values_come_back_as_written_with_their_types() -> None:
    rows = [["名称", "数", "金额", "是否"], ["智慧社区", 2025, 360.5, True], ["", 0, -1.25, False]]
    data = workbook("登记册", rows, WHEN)
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None and sheet.title == "登记册"
    cells = list(sheet.iter_rows())
    assert [[c.value for c in row] for row in cells] == [
        ["名称", "数", "金额", "是否"],
        ["智慧社区", 2025, 360.5, True],
        [None, 0, -1.25, False],  # an empty text is a blank cell
    ]
    assert [c.data_type for c in cells[1]] == ["s", "n", "n", "b"]


@pytest.mark.parametrize(
    "text", ["=1+1", '=HYPERLINK("https://evil.example/","点此")', "+1", "-1", "@SUM(A1)"]
)
def test_text_that_looks_like_a_formula_stays_text(text: str) -> None:
    data = workbook("表", [[text]], WHEN)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cell = sheet.cell(row=1, column=1)
    assert cell.data_type == "s" and cell.value == text
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode("utf-8")


@pytest.mark.parametrize("text", [*HOSTILE, *XSS, "  前后有空格  ", "行一\r\n行二\n行三", "<&>\"'", "]]>"])
def test_hostile_text_comes_back_exactly(text: str) -> None:
    """Exactly, but for characters an XML document cannot hold at all."""
    data = workbook("表", [[text, text]], WHEN)
    shown = "".join(c for c in text if _xml_char(c))
    assert _read(data) == [[shown, shown]]


def test_characters_xml_cannot_hold_are_dropped_not_fatal() -> None:
    text = "甲\x00乙\x07丙\x1b丁\ud800戊\ufffe己\uffff庚\t辛"
    data = workbook("表\x01名", [[text]], WHEN)
    assert _read(data) == [["甲乙丙丁戊己庚\t辛"]]
    for name in zipfile.ZipFile(io.BytesIO(data)).namelist():
        ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))  # every part is well-formed XML


def test_infinite_or_missing_numbers_are_text_or_blank() -> None:
    assert _read(workbook("表", [[float("inf"), None, "x"]], WHEN)) == [["inf", None, "x"]]


def test_heading_row_is_frozen_and_widths_are_kept() -> None:
    data = workbook("表", [["编号", "名称"], ["A", "B"]], WHEN, widths=[14, 40])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 14
    assert sheet.column_dimensions["B"].width == 40


def test_a_long_sheet_name_is_cut_to_what_excel_accepts() -> None:
    sheet = load_workbook(io.BytesIO(workbook("名" * 40, [["x"]], WHEN))).active
    assert sheet is not None and sheet.title == "名" * 31


def test_column_letters() -> None:
    assert [column_letters(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_wide_rows_use_the_right_references() -> None:
    row = [f"c{i}" for i in range(30)]
    data = workbook("表", [row, row], WHEN)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet["AD2"].value == "c29" and sheet["A1"].value == "c0"


def test_same_rows_same_bytes_and_dated_as_asked() -> None:
    first = workbook("表", [["a", 1]], WHEN)
    assert workbook("表", [["a", 1]], WHEN) == first
    with zipfile.ZipFile(io.BytesIO(first)) as book:
        assert {m.date_time for m in book.infolist()} == {(2026, 12, 4, 0, 0, 0)}
        assert book.read("docProps/core.xml").decode().count(">2026-12-04T00:00:00Z<") == 2
    properties = load_workbook(io.BytesIO(first)).properties
    assert properties.created == WHEN and properties.modified == WHEN


def test_a_sheet_name_excel_would_refuse_is_made_acceptable() -> None:
    sheet = load_workbook(io.BytesIO(workbook("登记册[2026]: a/b\\c*?", [["x"]], WHEN))).active
    assert sheet is not None and sheet.title == "登记册_2026__ a_b_c__"


@pytest.mark.parametrize("piece", ["字", "a", "😀"])
def test_a_text_longer_than_a_cell_holds_is_cut_and_says_so(piece: str) -> None:
    from govsite.site.spreadsheet import CELL_LIMIT

    text = piece * 40_000
    (cell,) = _read(workbook("表", [[text]], WHEN))[0]
    assert isinstance(cell, str) and cell.endswith("…") and text.startswith(cell[:-1])
    assert len(cell.encode("utf-16-le")) // 2 <= CELL_LIMIT
    assert _read(workbook("表", [[piece * 100]], WHEN)) == [[piece * 100]]  # a short one is whole
