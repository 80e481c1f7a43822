"""User administration (admins only): create, change role, deactivate, reset a password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

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
            user.display_name = (form.display_name.data or "").strip() or user.username
            user.email = (form.email.data or "").strip()
            service.set_role(db_session(), user, Role(form.role.data))
            if bool(form.active.data) != user.active:
                service.set_active(db_session(), user, bool(form.active.data))
        except DomainError as error:
            db_session().rollback()
            getattr(form, error.field or "role").errors = [error.message]
            status = 400
        else:
            flash(_("User %(name)s updated.", name=user.username), "info")
            return redirect(url_for("users.index"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/user_edit.html", user=user, form=form, reset_form=EmptyForm()
    ), status


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@requires_role(Role.admin)
def reset_password(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        password = service.generate_password()
        service.set_password(db_session(), user, password, one_time=True)
        flash(
            _(
                "New one-time password for %(name)s: %(password)s",
                name=user.username,
                password=password,
            ),
            "secret",
        )
    return redirect(url_for("users.edit", user_id=user_id))
