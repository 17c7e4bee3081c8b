"""Open data from a real build: registry.json (and its schema), registry.csv, registry.xlsx, the Atom
feed and the data dictionary; nothing withheld leaks into any of them; spreadsheets never run what a
department wrote."""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import HOSTILE, TODAY, BuiltSite

from govsite.model import Project
from govsite.site.opendata import export_files
from govsite.yamlload import load_file

pytestmark = pytest.mark.slow
DATA = "data"


def registry_projects(built_site: BuiltSite) -> dict[str, Project]:
    from govsite.validation import validate_project

    found = {}
    for path in (built_site.root / "submissions" / "minhang").glob("*.yaml"):
        project, _ = validate_project(load_file(path))
        if project is not None:
            found[project.id] = project
    return found


def test_registry_json_loads_back_to_the_registry(built_site: BuiltSite) -> None:
    import jsonschema

    document = json.loads((built_site.out / DATA / "registry.json").read_text(encoding="utf-8"))
    schema = json.loads((built_site.out / DATA / "registry.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema)
    registry = registry_projects(built_site)
    records = {r["id"]: r for r in document["projects"]}
    assert sorted(records) == sorted(registry)  # every project with a page, and no other
    for project_id, record in records.items():
        assert record["page"] == f"projects/{project_id}/"
        assert (built_site.out / record["page"] / "index.html").is_file()
        expected = registry[project_id]
        if all(m.public for m in expected.materials):
            assert Project.model_validate(record["project"]) == expected
        else:  # a withheld material is its kind only; everything else loads back as it was
            shown = [m for m in expected.materials if m.public]
            loaded = Project.model_validate(
                {
                    **record["project"],
                    "materials": [m for m in record["project"]["materials"] if m.get("public", True)],
                }
            )
            assert loaded == expected.model_copy(update={"materials": shown})
            withheld = [m for m in record["project"]["materials"] if not m.get("public", True)]
            assert withheld == [{"kind": "contract", "public": False}]
    assert records["MH-2026-013"]["project"]["name"].startswith(HOSTILE)  # data keeps the text as written


def csv_rows(built_site: BuiltSite) -> list[list[str]]:
    raw = (built_site.out / DATA / "registry.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_opens_with_chinese_intact(built_site: BuiltSite) -> None:
    from govsite.site.opendata import COLUMNS

    rows = csv_rows(built_site)
    assert rows[0] == [c.heading for c in COLUMNS]
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert sorted(by_id) == sorted(registry_projects(built_site))
    approved = by_id["MH-2026-011"]
    assert approved["项目名称"] == "闵行区一网统管城市运行平台系统建设项目"
    assert approved["所在区"] == "闵行区"
    assert approved["当前阶段"] == "批复"
    assert approved["项目页"].endswith("projects/MH-2026-011/")


def test_spreadsheets_never_evaluate_project_text(tmp_path: Path) -> None:
    """A department that writes a formula as its unit's name gets it shown as text in both files."""
    from openpyxl import load_workbook
    from support import base_project, make_registry

    from govsite.site.build import build_site

    formula = '=HYPERLINK("https://evil.example/","点此")'
    root = make_registry(
        tmp_path / "r",
        {"submissions/minhang/MH-2026-021.yaml": base_project(id="MH-2026-021", project_unit=formula)},
    )
    build_site(root, root / "site", today=TODAY, run_mkdocs=False)
    docs = root / "build" / "docs" / DATA
    rows = list(csv.reader(io.StringIO((docs / "registry.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[1][3] == "'" + formula
    sheet = load_workbook(docs / "registry.xlsx").active
    assert sheet is not None
    cell = sheet.cell(row=2, column=4)
    assert cell.data_type == "s" and cell.value == "'" + formula
    with zipfile.ZipFile(docs / "registry.xlsx") as book:
        assert not any(
            "<f>" in book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml")
        )


def test_xlsx_has_the_csv_rows(built_site: BuiltSite) -> None:
    from openpyxl import load_workbook

    book = load_workbook(built_site.out / DATA / "registry.xlsx", read_only=True)
    try:
        sheet = book.active
        assert sheet is not None
        cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    expected = csv_rows(built_site)
    assert [row[:2] for row in cells] == [row[:2] for row in expected]
    assert cells[0] == expected[0]


def test_atom_feed_lists_declarations_and_stage_changes(built_site: BuiltSite) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(built_site.out / "feed.xml").getroot()
    assert feed.tag == f"{atom}feed"
    entries = feed.findall(f"{atom}entry")
    assert entries
    titles = [e.findtext(f"{atom}title") or "" for e in entries]
    assert "MH-2026-011 闵行区一网统管城市运行平台系统建设项目：批复" in titles
    assert any(t.endswith("：申报") for t in titles)
    ids = [e.findtext(f"{atom}id") for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        link = entry.find(f"{atom}link")
        assert link is not None and "projects/MH-2026-" in link.get("href", "")
        assert (entry.findtext(f"{atom}updated") or "").endswith("+08:00")
    updated = [e.findtext(f"{atom}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)


def test_data_page_has_downloads_and_the_dictionary(built_site: BuiltSite) -> None:
    page = (built_site.out / DATA / "index.html").read_text(encoding="utf-8")
    for name in ("registry.json", "registry.schema.json", "registry.csv", "registry.xlsx", "../feed.xml"):
        assert f'href="{name}"' in page, name
    text = html.unescape(page)
    assert "<code>budget.total</code>" in text and "总投资" in text
    assert "<code>stages[].date</code>" in text


def test_withheld_material_is_nowhere_in_the_build(built_site: BuiltSite) -> None:
    """Every file of the site, the spreadsheets' XML included."""
    texts: list[str] = []
    for path in built_site.out.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts += [book.read(name).decode("utf-8", "replace") for name in book.namelist()]
        else:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    everything = "\n".join(texts)
    assert "保密合同标题" not in everything
    assert "secret-contract" not in everything
    assert "闵行区一网统管城市运行平台系统建设项目" in everything  # the search did read the files


@pytest.mark.slow
def test_published_open_data_is_what_exports_makes(built_site: BuiltSite) -> None:
    """Made while mkdocs runs and written over its stand-ins: none of them is left empty."""
    from govsite.site.build import prepare
    from govsite.site.opendata import exports

    data = prepare(built_site.root, TODAY)
    made = exports(data, "", "", data.source)
    # the build gives mkdocs a stand-in for each, by these names, before they are made
    assert sorted(made) == sorted(export_files())
    for name in export_files():
        published = (built_site.out / name).read_bytes()
        assert published, name
        if name.endswith((".csv", ".schema.json")):
            text = made[name]
            assert published == (text.encode("utf-8") if isinstance(text, str) else text), name


@pytest.mark.slow
def test_the_workbook_is_the_same_whenever_it_is_made(built_site: BuiltSite) -> None:
    """Dated the day the site is built for: the clock does not change the bytes."""
    import time

    from govsite.site.build import prepare
    from govsite.site.opendata import xlsx_bytes

    data = prepare(built_site.root, TODAY)
    first = xlsx_bytes(data)
    time.sleep(2.1)  # zip times have a two-second resolution
    assert xlsx_bytes(data) == first
    with zipfile.ZipFile(io.BytesIO(first)) as book:
        assert {m.date_time[:3] for m in book.infolist()} == {(TODAY.year, TODAY.month, TODAY.day)}
        properties = book.read("docProps/core.xml").decode()
        assert properties.count(f">{TODAY.isoformat()}T00:00:00Z<") == 2  # created and modified


@pytest.mark.parametrize("shown", [1, 3, 7, 1000])
def test_feed_keeps_the_newest_records_in_order(
    built_site: BuiltSite, monkeypatch: pytest.MonkeyPatch, shown: int
) -> None:
    """Only the newest records are made into items; which ones, and their order, are what sorting
    every record would give (ties in the registry's order, nothing dated after the build's day)."""
    import datetime as dt

    from govsite.site import opendata
    from govsite.site.build import prepare

    data = prepare(built_site.root, TODAY)
    everything = []
    for entry in data.projects:
        p = entry.project
        everything += [(s.date, p.id, f"stage-{i}") for i, s in enumerate(p.stages)]
        everything += [(a.date, p.id, f"approval-{i}") for i, a in enumerate(entry.approvals) if a.verified]
    everything = [e for e in everything if e[0] <= data.today]
    assert len(everything) > 7
    expected = sorted(everything, reverse=True)[:shown]
    monkeypatch.setattr(opendata, "FEED_ENTRIES", shown)
    assert [(i.when, i.project_id, i.key) for i in opendata.feed_items(data)] == expected
    later = prepare(built_site.root, TODAY - dt.timedelta(days=400))
    assert all(i.when <= later.today for i in opendata.feed_items(later))
