"""Garantie: hold IT vendors to their contracts (the Flask application)."""

from sla.app import create_app
from sla.version import __version__

__all__ = ["__version__", "create_app"]
