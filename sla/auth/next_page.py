"""Where to go after signing in: the page asked for, if it is one of this application's (no
open redirect), else home."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.exceptions import HTTPException as RoutingHTTPException
from werkzeug.routing import RequestRedirect


def app_path(target: str | None) -> str | None:
    """`target` when it is a page of this application (a path its routes answer, no scheme,
    no host, no backslash nor control character: no open redirect), else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    try:
        current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except RoutingHTTPException as error:
        if not isinstance(error, RequestRedirect):
            return None
    return target


def safe_next(target: str | None) -> str:
    """Where to go after signing in: the page asked for, if of this application, else home."""
    return app_path(target) or url_for("home.index")
