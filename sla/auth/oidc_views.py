"""The OpenID Connect sign-in routes: the "Sign in with ..." button leads to `start`, which
sends the browser to the provider; the provider sends it back to `callback`, which opens the
session of the person it vouches for. Every failure lands on the login page with a sentence,
and in the audit trail: never an error page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from sla.audit.record import Actor, record
from sla.auth import external, oidc, web_session
from sla.auth.next_page import app_path, safe_next
from sla.auth.refusals import REFUSALS
from sla.db import utcnow
from sla.web.database import db_session

bp = Blueprint("oidc", __name__)

NEXT_KEY = "oidc_next"  # where to go once signed in, kept in the session across the round trip


def _section() -> Any:
    return current_app.config["SLA_SETTINGS"]["oidc"]


@bp.route("/login/oidc")
def start() -> ResponseReturnValue:
    provider = oidc.client()
    if provider is None:
        abort(404)
    asked = app_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(asked or url_for("home.index"))
    session[NEXT_KEY] = asked
    try:
        return oidc.redirect_to_provider(
            provider, _section(), url_for("oidc.callback", _external=True)
        )
    except oidc.ProviderFailure as failure:
        return _failed(failure)


@bp.route("/login/oidc/callback")
def callback() -> ResponseReturnValue:
    provider = oidc.client()
    if provider is None:
        abort(404)
    section = _section()
    try:
        claims = oidc.claims_of_callback(provider, section)
        identity = oidc.identity_from_claims(section, claims, section["issuer"])
    except oidc.ProviderFailure as failure:
        return _failed(failure)
    asked = session.pop(NEXT_KEY, None)
    try:
        user = external.sign_in(
            db_session(), identity, now=utcnow(), remote_addr=request.remote_addr or ""
        )
    except external.ExternalRefused as refused:
        db_session().commit()  # the refusal (and a withdrawn account) stays in the audit trail
        flash(_refusal_message(refused.reason), "error")
        return redirect(url_for("auth.login"))
    web_session.begin(user)
    return redirect(safe_next(asked))


def _failed(failure: oidc.ProviderFailure) -> ResponseReturnValue:
    """Record a provider-side failure, say it on the login page."""
    session.pop(NEXT_KEY, None)
    record(
        db_session(),
        Actor(None, "", "oidc", request.remote_addr or ""),
        "signin.failure",
        now=utcnow(),
        reason=failure.reason,
        provider_error=failure.detail or None,
    )
    db_session().commit()
    flash(_failure_message(failure), "error")
    return redirect(url_for("auth.login"))


def _failure_message(failure: oidc.ProviderFailure) -> str:
    name = _section()["name"]
    if failure.reason == "bad_state":
        message = _(
            "This sign-in through %(name)s was not started in this browser, or took too long. "
            "Please start again.",
            name=name,
        )
    elif failure.reason == "provider_unreachable":
        message = _(
            "%(name)s does not answer. Try again in a few minutes; local accounts can still "
            "sign in with their password.",
            name=name,
        )
    elif failure.reason == "provider_error" and failure.detail == "access_denied":
        message = _("The sign-in through %(name)s was cancelled.", name=name)
    elif failure.reason == "provider_error":
        message = _(
            "%(name)s refused the sign-in. Please start again; if it happens again, tell the "
            "IT department.",
            name=name,
        )
    elif failure.reason == "unusable_email":
        message = _(
            "%(name)s gave no email address Garantie can name your account after. Ask the IT "
            "department.",
            name=name,
        )
    else:  # bad_nonce, expired_token, invalid_token: the answer cannot be trusted.
        message = _(
            "The answer of %(name)s could not be verified, so you are not signed in. Please "
            "start again; if it happens again, tell the IT department.",
            name=name,
        )
    return str(message)


def _refusal_message(reason: str) -> str:
    if reason == "not_allowed":
        return str(
            _(
                "%(name)s vouches for you, but you are not allowed to use Garantie. Ask the IT "
                "department for access.",
                name=_section()["name"],
            )
        )
    return str(REFUSALS[reason])
