"""Opening the browser session of a person just signed in (by password, the directory or
OpenID Connect): a fresh cookie session bound to a new sign-in session row."""

from __future__ import annotations

from flask import session
from flask_login import login_user

from sla.auth import service
from sla.auth.login import LoginUser
from sla.auth.models import User
from sla.db import utcnow
from sla.web.database import db_session


def begin(user: User) -> None:
    """Sign `user` in this browser: whatever the session held before is dropped (no fixation),
    a sign-in session is opened and the cookie lasts [security] session_lifetime_hours."""
    session.clear()
    token = service.start_session(db_session(), user, now=utcnow())
    login_user(LoginUser(user, token))
    session.permanent = True
