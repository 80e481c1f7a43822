"""Sign-in through an OpenID Connect provider (stub: the OIDC helper writes it)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the provider's client when [oidc] enabled (stub)."""
