"""The OpenID Connect sign-in routes (stub: the OIDC helper writes them)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

bp = Blueprint("oidc", __name__)


@bp.route("/login/oidc")
def start() -> ResponseReturnValue:
    abort(404)


@bp.route("/login/oidc/callback")
def callback() -> ResponseReturnValue:
    abort(404)
