"""Field types. Every module in this package that does not start with ``_`` registers one
type on import; :func:`load_all` imports them all, so adding a type is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil

from qiao.forms.fields.base import FieldType, registry

__all__ = ["FieldType", "load_all", "registry"]

_loaded = False


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


load_all()
