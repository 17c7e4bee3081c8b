"""The CEL engine (the `common-expression-language` package's Rust extension), imported lean.

The package's `__init__` imports its command-line interface, which pulls in rich, typer and
prompt_toolkit: about 180 ms on every govsite start for code we never call. govsite uses only the
extension (`compile`, `Context`), so it loads the extension module by itself when it can, and falls
back to the package import otherwise.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Any


def _load() -> ModuleType:
    if "cel" in sys.modules:  # the package (or our extension) is imported already
        module = sys.modules["cel"]
        return module if hasattr(module, "compile") else importlib.import_module("cel")
    spec = importlib.util.find_spec("cel")
    folder = spec.submodule_search_locations if spec else None
    for location in folder or []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            candidate = f"{location}/cel{suffix}"
            extension = importlib.util.spec_from_file_location("cel.cel", candidate)
            if extension is None or extension.loader is None:
                continue
            try:
                module = importlib.util.module_from_spec(extension)
                extension.loader.exec_module(module)
            except (ImportError, OSError):
                continue
            return module
    import cel  # pragma: no cover - an unusual installation: take the package as it is

    return cel


_cel = _load()
compile: Any = _cel.compile
Context: Any = _cel.Context
