"""One table as an Office Open XML workbook (`.xlsx`, ECMA-376): one sheet of text and numbers.

Written directly rather than through openpyxl, which made a cell object and an XML element for
each of a city's 160,000 cells: 1.7 s of every rebuild after a merge, on the cores mkdocs needs at
the same time. A sheet of plain values is a few fixed parts and one XML document of rows; this
writes those and nothing else (no styles beyond the default, no formulas, ever).

Text is stored inline (`t="inlineStr"`) — what openpyxl writes too and what every reader takes —
so no text is ever read as a formula, whatever it begins with. Characters XML 1.0 cannot hold
(control characters, lone surrogates, U+FFFE/U+FFFF) are dropped from the text.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")  # Excel refuses a workbook whose sheet name has one
CELL_LIMIT = 32_767  # characters (UTF-16 units) Excel keeps in a cell: a longer text is cut, with …
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letters(index: int) -> str:
    """`A` for the first column (index 0), `Z`, `AA`, … as spreadsheets name them."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text(value: str) -> str:
    value = _NOT_XML.sub("", value)
    if len(value.encode("utf-16-le")) > 2 * CELL_LIMIT:  # Excel counts UTF-16 units
        head = value[: CELL_LIMIT - 1]
        wide = sum(1 for c in head if ord(c) > 0xFFFF)  # two units each
        value = value[: CELL_LIMIT - 1 - wide] + "…"
    # a carriage return as a reference: an XML reader would make a bare one a line feed
    return escape(value).replace("\r", "&#13;")


def _cell(reference: str, value: object) -> str:
    if isinstance(value, bool):  # before int: a bool is an int to Python, yes/no to a reader
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    text = _text("" if value is None else str(value))
    if not text:
        return ""  # a blank cell is no cell
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{reference}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _sheet(rows: Iterable[Sequence[object]], widths: Sequence[float]) -> bytes:
    out = io.StringIO()
    out.write(f'{_HEAD}<worksheet xmlns="{_MAIN}">')
    # the heading row stays in view while the rows scroll
    out.write(
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
    )
    if widths:
        out.write("<cols>")
        for index, width in enumerate(widths, start=1):
            out.write(f'<col min="{index}" max="{index}" width="{width:g}" customWidth="1"/>')
        out.write("</cols>")
    out.write("<sheetData>")
    letters: list[str] = []
    for number, values in enumerate(rows, start=1):
        while len(letters) < len(values):
            letters.append(column_letters(len(letters)))
        out.write(f'<row r="{number}">')
        out.write("".join(_cell(f"{letters[i]}{number}", v) for i, v in enumerate(values)))
        out.write("</row>")
    out.write("</sheetData></worksheet>")
    return out.getvalue().encode("utf-8")


def _sheet_name(name: str) -> str:
    """What Excel accepts as a sheet's name: 31 characters at most, none of [ ] : * ? / \\."""
    return _NOT_IN_SHEET_NAME.sub("_", _NOT_XML.sub("", name))[:31] or "Sheet1"


def _parts(sheet_name: str, when: dt.datetime, application: str) -> dict[str, str]:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="{_PACKAGE}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{sheet_type}.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="{_PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_PACKAGE}/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_RELATIONSHIPS}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        ),
        "docProps/core.xml": (
            f'{_HEAD}<cp:coreProperties xmlns:cp="{_PACKAGE}/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{_text(application)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "docProps/app.xml": (
            f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Application>{_text(application)}</Application></Properties>"
        ),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
            f'<sheets><sheet name={quoteattr(_sheet_name(sheet_name))} sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        # the one (default) format every cell uses: readers refuse a workbook without a style sheet
        "xl/styles.xml": (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="等线"/><family val="2"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
    }


def workbook(
    sheet_name: str,
    rows: Iterable[Sequence[object]],
    when: dt.datetime,
    widths: Sequence[float] = (),
    application: str = "govsite",
) -> bytes:
    """The workbook's bytes: `rows` (the first is the heading) on one sheet named `sheet_name`.

    Every member and both document dates are `when`, so the same rows give the same bytes."""
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    members: dict[str, str | bytes] = {
        **_parts(sheet_name, when, application),
        "xl/worksheets/sheet1.xml": _sheet(rows, widths),
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/core.xml",
            "docProps/app.xml",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        ):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            content = members[name]
            archive.writestr(info, content if isinstance(content, bytes) else content.encode("utf-8"))
    return out.getvalue()
