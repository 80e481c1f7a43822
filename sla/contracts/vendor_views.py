"""The vendor form: create and edit a vendor (name, SIRET, support contacts).

Also answers the calendar form's question "which vendors may own a calendar" (the calendars
sit below contracts and ask by a signal, `calendars.signals.owner_choices`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from calendars.signals import owner_choices
from sla.audit.actor import request_actor
from sla.contracts import service
from sla.contracts.models import Vendor
from sla.contracts.siret import (
    BAD_CHECKSUM,
    BAD_LENGTH,
    NOT_DIGITS,
    normalized_siret,
    siret_problem,
)
from sla.db import utcnow
from sla.safe_text import control_characters
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.forms import EmptyForm
from sla.web.roles import Role

bp = Blueprint("vendor_forms", __name__)


@owner_choices.connect
def _every_vendor(session: Session) -> dict[int, str]:
    """The calendar form lists the owners a calendar may have: here, every vendor."""
    return {vendor.id: vendor.name for vendor in service.list_vendors(session) if vendor.id}


def _text(field: Any) -> str:
    return str(field.data or "").strip()


def _one_line(field: Any) -> None:
    if control_characters(str(field.data or "")):
        raise ValidationError(
            _("One line, without control characters (no line break, tab or NUL).")
        )


class VendorForm(EmptyForm):
    """What a DSI knows of a vendor. Every field but the name may stay empty."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    siret = StringField(
        "SIRET",
        description=_l("14 digits, spaces allowed (or the 9-digit SIREN when no SIRET is known)."),
        validators=[Length(max=40)],
    )
    support_email = StringField(_l("Support email"), validators=[Length(max=254)])
    support_phone = StringField(_l("Support phone"), validators=[Length(max=64)])
    portal_url = StringField(
        _l("Portal"),
        description=_l("An http:// or https:// address."),
        validators=[Length(max=500)],
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])

    def validate_name(self, field: Any) -> None:
        _one_line(field)

    def validate_siret(self, field: Any) -> None:
        text = _text(field)
        if not text:
            return
        problem = siret_problem(text, siren_allowed=True)
        if problem == NOT_DIGITS:
            raise ValidationError(_("SIRET: digits only (spaces are allowed)."))
        if problem == BAD_LENGTH:
            raise ValidationError(
                _(
                    "SIRET: 14 digits are expected (or the 9 of a SIREN); %(count)d given.",
                    count=len(normalized_siret(text)),
                )
            )
        if problem == BAD_CHECKSUM:
            raise ValidationError(
                _("SIRET: the check digit is wrong (Luhn key): check the number.")
            )

    def validate_support_email(self, field: Any) -> None:
        _one_line(field)
        text = _text(field)
        local, at, domain = text.rpartition("@")
        if text and (not at or not local or "." not in domain or len(text.split()) != 1):
            raise ValidationError(
                _("Support email: expected an address such as support@example.fr.")
            )

    def validate_support_phone(self, field: Any) -> None:
        _one_line(field)

    def validate_portal_url(self, field: Any) -> None:
        _one_line(field)
        text = _text(field)
        if not text:
            return
        # The address becomes a link on the vendor's page: `javascript:` would run there.
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
            raise ValidationError(_("Portal: an http:// or https:// address."))

    def validate_notes(self, field: Any) -> None:
        if control_characters(str(field.data or ""), multiline=True):
            raise ValidationError(_("No control characters (line breaks and tabs only)."))


def _name_taken(session: Session, name: str, vendor_id: int | None) -> bool:
    found = session.exec(select(Vendor).where(Vendor.name == name)).first()
    return found is not None and found.id != vendor_id


def _copy(form: VendorForm, vendor: Vendor) -> None:
    vendor.name = _text(form.name)
    vendor.siret = normalized_siret(_text(form.siret))
    vendor.support_email = _text(form.support_email)
    vendor.support_phone = _text(form.support_phone)
    vendor.portal_url = _text(form.portal_url)
    vendor.notes = str(form.notes.data or "").strip()


def _name_error(form: VendorForm) -> None:
    form.name.errors = [
        *form.name.errors,
        _("A vendor named %(name)s already exists.", name=_text(form.name)),
    ]


def _save(form: VendorForm, vendor: Vendor | None) -> ResponseReturnValue:
    """Validate and write; the form back with its messages (422) when it cannot."""
    session = db_session()
    vendor_id = vendor.id if vendor is not None else None
    if form.validate_on_submit():
        if _name_taken(session, _text(form.name), vendor_id):
            _name_error(form)
        else:
            record = vendor or Vendor(name="", created_at=utcnow())
            address_before = record.support_email
            _copy(form, record)
            session.add(record)
            try:
                session.flush()
            except IntegrityError:  # the same name saved meanwhile by someone else
                session.rollback()
                _name_error(form)
            else:
                service.note_vendor_address(
                    session, request_actor(), record, address_before, now=utcnow()
                )
                message = (
                    _("Vendor %(name)s updated.", name=record.name)
                    if vendor
                    else _("Vendor %(name)s created.", name=record.name)
                )
                flash(message, "info")
                return redirect(url_for("contracts.vendor", vendor_id=record.id))
    return render_template("contracts/vendor_form.html", form=form, vendor=vendor), 422


@bp.route("/vendors/new", methods=["GET", "POST"])
@requires_role(Role.admin)
def new_vendor() -> ResponseReturnValue:
    form = VendorForm()
    if not form.is_submitted():
        return render_template("contracts/vendor_form.html", form=form, vendor=None)
    return _save(form, None)


@bp.route("/vendors/<int:vendor_id>/edit", methods=["GET", "POST"])
@requires_role(Role.admin)
def edit_vendor(vendor_id: int) -> ResponseReturnValue:
    vendor = db_session().get(Vendor, vendor_id)
    if vendor is None:
        abort(404)
    form = VendorForm(obj=vendor)
    if not form.is_submitted():
        return render_template("contracts/vendor_form.html", form=form, vendor=vendor)
    return _save(form, vendor)
