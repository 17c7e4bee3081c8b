"""Build hook: an installed govsite carries what a registry falls back to.

The policy packs, site templates, mkdocs configuration and JSON Schema live at the top of this
repository (where the product's layout puts them, and where this repository's own registry uses
them). A wheel copies them into the package as `govsite/bundled/`, which `govsite/resources.py`
reads; an editable install reads them from the checkout instead, so nothing is copied then.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("policies", "site_templates", "mkdocs.yml", "schema")


class BuildWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "govsite" / "bundled"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in SHIPPED:
            source = HERE / name
            if not source.exists():
                raise SystemExit(f"setup.py: {source} is missing: a govsite wheel must ship it")
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copyfile(source, target / name)


setup(cmdclass={"build_py": BuildWithBundle})
