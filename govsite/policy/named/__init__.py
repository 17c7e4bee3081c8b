"""Named rules, one module per regulation; each module exports RULES: {name: function}.

Modules are discovered, so adding a regulation's named rules needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil

from govsite.policy.named.common import NamedRule


def _discover() -> dict[str, NamedRule]:
    found: dict[str, NamedRule] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, rule in getattr(module, "RULES", {}).items():
            if name in found:
                raise RuntimeError(f"named rule {name!r} is defined twice")
            found[name] = rule
    return found


NAMED_RULES: dict[str, NamedRule] = _discover()
