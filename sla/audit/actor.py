"""The actor of a request: the person signed in (by session or token) and where from."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from sla.audit.record import Actor


def request_actor() -> Actor:
    """Who makes this request: the signed-in account (or nobody yet), through the pages or the
    API, with the client's address (as ProxyFix resolved it)."""
    channel = "api" if getattr(g, "authenticated_by_token", False) else "web"
    address = request.remote_addr or ""
    if not current_user.is_authenticated:
        return Actor(None, "", channel, address)
    user = current_user.user
    return Actor(user.id, user.username, channel, address)
