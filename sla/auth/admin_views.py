"""User administration (admins only): create, change role, deactivate, reset a password,
lift a sign-in pause."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sla.audit.actor import request_actor
from sla.auth import service
from sla.auth.forms import UserCreateForm, UserEditForm
from sla.auth.models import User
from sla.db import utcnow
from sla.errors import DomainError
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.forms import EmptyForm
from sla.web.roles import Role

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def _user_or_404(user_id: int) -> User:
    user = service.get_user(db_session(), user_id)
    if user is None:
        abort(404)
    return user


def _login_pause(user: User) -> timedelta | None:
    """How long the user's sign-in stays paused after failed logins (None: it is not)."""
    security = current_app.config["SLA_SETTINGS"]["security"]
    return service.login_pause(
        db_session(),
        user.username,
        now=utcnow(),
        max_failures=security["login_max_failures"],
        lockout=timedelta(minutes=security["login_lockout_minutes"]),
    )


def _apply_edit(user: User, form: UserEditForm) -> None:
    service.update_account(
        db_session(),
        user,
        display_name=form.display_name.data or "",
        email=form.email.data or "",
        role=Role(form.role.data),
        active=bool(form.active.data),
        local_account=bool(form.local_account.data),
        now=utcnow(),
        actor=request_actor(),
    )


@bp.route("/")
@requires_role(Role.admin)
def index() -> ResponseReturnValue:
    return render_template(
        "admin/users.html", users=service.list_users(db_session()), form=UserCreateForm()
    )


@bp.route("/", methods=["POST"])
@requires_role(Role.admin)
def create() -> ResponseReturnValue:
    form = UserCreateForm()
    if form.validate_on_submit():
        password = service.generate_password()
        try:
            user = service.create_user(
                db_session(),
                username=form.username.data or "",
                password=password,
                role=Role(form.role.data),
                now=utcnow(),
                display_name=form.display_name.data or "",
                email=form.email.data or "",
                must_change_password=True,
                local_account=bool(form.local_account.data),
                actor=request_actor(),
            )
        except DomainError as error:
            getattr(form, error.field or "username").errors = [error.message]
        else:
            flash(
                _(
                    "User %(name)s created. One-time password: %(password)s",
                    name=user.username,
                    password=password,
                ),
                "secret",
            )
            return redirect(url_for("users.index"))
    return render_template(
        "admin/users.html", users=service.list_users(db_session()), form=form
    ), 400


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@requires_role(Role.admin)
def edit(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user)
    status = 200
    if form.validate_on_submit():
        try:
            _apply_edit(user, form)
        except DomainError as error:
            db_session().rollback()
            getattr(form, error.field or "role").errors = [error.message]
            status = 400
        else:
            flash(_("User %(name)s updated.", name=user.username), "info")
            return redirect(url_for("users.index"))
    elif request.method == "POST":
        status = 400
    pause = _login_pause(user)
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        reset_form=EmptyForm(formdata=None),
        unlock_form=EmptyForm(formdata=None),
        pause_minutes=None if pause is None else max(1, round(pause.total_seconds() / 60)),
    ), status


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@requires_role(Role.admin)
def reset_password(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        try:
            password = service.reset_password(
                db_session(), user, now=utcnow(), actor=request_actor()
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "New one-time password for %(name)s: %(password)s",
                    name=user.username,
                    password=password,
                ),
                "secret",
            )
    return redirect(url_for("users.edit", user_id=user_id))


@bp.route("/<int:user_id>/unlock", methods=["POST"])
@requires_role(Role.admin)
def unlock(user_id: int) -> ResponseReturnValue:
    """Lift the pause on a user's sign-in after failed logins (forgets those failures)."""
    user = _user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        service.lift_pause(db_session(), user, now=utcnow(), actor=request_actor())
        flash(_("%(name)s can sign in again.", name=user.username), "info")
    return redirect(url_for("users.edit", user_id=user_id))
