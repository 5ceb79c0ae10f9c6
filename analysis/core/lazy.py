"""Modules imported on first use, so that a quick command pays only for what it touches.

``np = lazy_module("numpy")`` behaves like ``import numpy as np`` except that
numpy is imported the first time an attribute is read: ``dealtree validate``
expands and checks a tree in pure Python and never imports it (about a tenth
of a second, a third of the command's time).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["lazy_module"]


class _LazyModule:
    """Stands in for a module until an attribute is read, then forwards to it."""

    def __init__(self, name: str):
        self.__dict__["_name"] = name

    def __getattr__(self, attribute: str):
        module = self.__dict__.get("_module")
        if module is None:
            module = self.__dict__["_module"] = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> ModuleType:
    """Return a stand-in for module ``name`` that imports it when first used."""
    return _LazyModule(name)  # type: ignore[return-value]
