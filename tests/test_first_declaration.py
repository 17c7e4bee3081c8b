"""A clerk's first declaration, in every district: `govsite new` writes the district's own template,
and validating it untouched gives only the findings that say "fill this in"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import POLICIES, govsite, make_registry

from govsite.policy.pack import load_packs

TODAY = "2026-05-15"  # every district has a regulation in force on this day
DISTRICTS = sorted({p.meta.district.value for p in load_packs(POLICIES)})


@pytest.mark.parametrize("district", DISTRICTS)
def test_an_untouched_template_gives_only_fill_in_findings(tmp_path: Path, district: str) -> None:
    root = make_registry(tmp_path)
    made = govsite("new", "--district", district, "--today", TODAY, cwd=root)
    assert made.returncode == 0, made.stderr
    [path] = list((root / "submissions" / district).glob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema=../../schema/{district}.schema.json\n")
    assert "某某" in text  # the district's own template, with the places to fill in

    done = govsite("validate", "--format", "json", "--today", TODAY, cwd=root)
    [project] = json.loads(done.stdout)["projects"]
    assert project["project"] == path.stem and project["policy"]["id"].startswith(district)
    assert project["findings"], "a template with nothing to fill in"
    others = [(f["rule"], f["message"]) for f in project["findings"] if f["rule"] != "template"]
    assert others == []


@pytest.mark.parametrize("district", DISTRICTS)
def test_the_template_carries_every_field_of_the_districts_packs(tmp_path: Path, district: str) -> None:
    root = make_registry(tmp_path)
    assert govsite("new", "--district", district, "--today", TODAY, cwd=root).returncode == 0
    [path] = list((root / "submissions" / district).glob("*.yaml"))
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = {
        name
        for p in load_packs(POLICIES)
        if p.meta.district.value == district and p.in_force_on(__import__("datetime").date(2026, 5, 15))
        for name in p.local_fields
    }
    assert fields <= set(data.get("local") or {}), sorted(fields - set(data.get("local") or {}))
