"""The installed version of dealtree."""

from importlib import metadata

__all__ = ["VERSION"]

try:
    VERSION = metadata.version("dealtree")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    VERSION = "0+unknown"
