"""Login, logout and the user's own account: password, language, email address and alerts,
API tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from sla.audit.actor import request_actor
from sla.auth import service, sign_in, web_session
from sla.auth.forms import (
    ChangePasswordForm,
    EmailForm,
    LanguageForm,
    LoginForm,
    NotificationsForm,
    TokenForm,
)
from sla.auth.login import LoginUser
from sla.auth.next_page import app_path, safe_next
from sla.auth.passwords import verify_password
from sla.auth.refusals import REFUSALS
from sla.db import utcnow
from sla.errors import DomainError
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.forms import EmptyForm
from sla.web.roles import Role

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = sign_in.with_password(
                db_session(),
                current_app.config["SLA_SETTINGS"],
                username=form.username.data or "",
                password=form.password.data or "",
                remote_addr=request.remote_addr or "unknown",
                now=utcnow(),
            )
        except sign_in.DirectoryUnavailable:
            status = 503
            flash(
                _(
                    "The organisation's directory does not answer, or refuses Garantie's service "
                    "account: directory accounts cannot sign in for now. Try again in a few "
                    "minutes, or tell the IT department; local accounts still work."
                ),
                "error",
            )
            db_session().commit()  # the audit trail keeps the attempt
        except sign_in.LoginRefused as refused:
            status = 429 if refused.retry_after else 401
            flash(_refusal_message(refused), "error")
            # Failures are recorded: keep them even though the request "fails".
            db_session().commit()
        else:
            web_session.begin(user)
            if user.must_change_password:
                asked = app_path(request.args.get("next"))
                return redirect(url_for("auth.change_password", next=asked))
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    oidc = current_app.config["SLA_SETTINGS"]["oidc"]
    return render_template(
        "auth/login.html", form=form, oidc_name=oidc["name"] if oidc["enabled"] else None
    ), status


def _refusal_message(refused: sign_in.LoginRefused) -> str:
    """What the login page says of a refusal."""
    if refused.retry_after:
        minutes = max(1, round(refused.retry_after.total_seconds() / 60))
        return str(_("Too many failed attempts. Try again in %(minutes)d min.", minutes=minutes))
    return str(REFUSALS.get(refused.reason, _l("Wrong username or password.")))


@bp.route("/logout", methods=["POST"])
@requires_role(Role.viewer)
def logout() -> ResponseReturnValue:
    # Revoked server-side: a copy of the cookie taken before this opens nothing afterwards.
    if current_user.session_token:
        service.end_session(
            db_session(), current_user.user, current_user.session_token, now=utcnow()
        )
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires_role(Role.viewer)
def change_password() -> ResponseReturnValue:
    if current_user.user.auth_source != "local":
        flash(
            _(
                "You sign in through your organisation: your password is changed there, not "
                "in Garantie."
            ),
            "info",
        )
        return redirect(url_for("auth.account"))
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user.user
        if not verify_password(user.password_hash, form.current_password.data or ""):
            form.current_password.errors = [_("This is not your current password.")]
            status = 400
        else:
            try:
                service.set_password(db_session(), user, form.new_password.data or "")
            except DomainError as error:
                form.new_password.errors = [error.message]
                status = 400
            else:
                # The session version changed: renew this session's cookie (the others end).
                login_user(LoginUser(user, current_user.session_token))
                flash(_("Your password is changed."), "info")
                asked = app_path(request.args.get("next"))
                return redirect(asked or url_for("auth.account"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/change_password.html", form=form), status


def _account_page(
    new_token: str | None = None, status: int = 200, email_form: EmailForm | None = None
) -> ResponseReturnValue:
    """The account page; `new_token`, just created, is shown in this response only;
    `email_form`, refused, comes back as typed with its message."""
    user = current_user.user
    page = render_template(
        "auth/account.html",
        tokens=service.tokens_of(db_session(), user),
        token_form=TokenForm(formdata=None),
        language_form=LanguageForm(
            formdata=None,
            locale=user.locale or current_app.config["SLA_SETTINGS"]["app"]["default_locale"],
        ),
        revoke_form=EmptyForm(formdata=None),
        notifications_form=NotificationsForm(formdata=None, obj=user),
        email_form=email_form or EmailForm(formdata=None, obj=user),
        new_token=new_token,
    )
    # The page may show a secret: no cache (browser or proxy) keeps a copy.
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/account")
@requires_role(Role.viewer)
def account() -> ResponseReturnValue:
    return _account_page()


@bp.route("/account/tokens", methods=["POST"])
@requires_role(Role.viewer)
def create_token() -> ResponseReturnValue:
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, _created = service.create_api_token(
                db_session(),
                current_user.user,
                name=form.name.data or "",
                now=utcnow(),
                actor=request_actor(),
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            # Shown in this response only (never carried in the cookie): only its hash is kept.
            return _account_page(new_token=token, status=201)
    else:
        flash(_("Give the token a name (100 characters at most)."), "error")
    return redirect(url_for("auth.account"))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@requires_role(Role.viewer)
def revoke_token(token_id: int) -> ResponseReturnValue:
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            service.revoke_token(
                db_session(), current_user.user, token_id, now=utcnow(), actor=request_actor()
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The token is revoked."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/language", methods=["POST"])
@requires_role(Role.viewer)
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    if form.validate_on_submit():
        current_user.user.locale = form.locale.data
        db_session().add(current_user.user)
        session["locale"] = form.locale.data
    return redirect(safe_next(request.form.get("next")))


@bp.route("/account/notifications", methods=["POST"])
@requires_role(Role.viewer)
def set_notifications() -> ResponseReturnValue:
    """What the user chooses to receive by email (sent to the address of the account)."""
    form = NotificationsForm()
    if form.validate_on_submit():
        service.set_alert_choices(
            db_session(),
            current_user.user,
            warnings=bool(form.notify_warnings.data),
            breaches=bool(form.notify_breaches.data),
            digest=bool(form.notify_digest.data),
            now=utcnow(),
            actor=request_actor(),
        )
        flash(_("Your choices are saved."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/email", methods=["POST"])
@requires_role(Role.viewer)
def set_email() -> ResponseReturnValue:
    """The user's own address, where their alerts go (an administrator may change it too)."""
    form = EmailForm()
    if not form.validate_on_submit():
        return _account_page(email_form=form, status=400)
    service.set_email(
        db_session(), current_user.user, form.email.data or "", now=utcnow(), actor=request_actor()
    )
    flash(_("Your email address is saved."), "info")
    return redirect(url_for("auth.account"))
