"""triage: Prop 64 conviction review for California prosecutors."""

from importlib.metadata import PackageNotFoundError, version

try:
    # One source for the version: pyproject.toml, as installed (`pip install -e .` included).
    __version__ = version("triage")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
