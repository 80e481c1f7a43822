"""The calendar form: create and edit a vendor's calendar, with a preview of its hours.

Glue only: `calendars.form_data` turns what was typed into the calendar mapping (checked by
`parse_calendar`, the TOML reader's one validator), `calendars.preview` lays out what it will
do, `calendars.holiday_sets` names the holidays offered. Rows are added and removed by submit
buttons (`action=add-range:mon`…) that bring the form back with everything typed; the page's
script does the same in place and refreshes the preview through `/calendars/preview`."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from calendars import form_data
from calendars.form_data import BuiltCalendar, CalendarFormData
from calendars.holiday_sets import holiday_set_choices
from calendars.models import VendorCalendar
from calendars.preview import Preview, preview
from calendars.signals import every_owner
from calendars.spec import WEEKDAYS, CalendarSpec
from sla.db import utcnow
from sla.errors import reader_words
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.labels import WEEKDAY
from sla.web.roles import Role

bp = Blueprint("calendar_form", __name__, url_prefix="/calendars")

DAY_MODES = (
    (form_data.HOURS, _l("Hours")),
    (form_data.CLOSED, _l("Closed")),
    (form_data.ALWAYS, _l("24 h")),
)
FORM_MESSAGES = {
    form_data.OWNER_MISSING: _l("Choose the vendor this calendar belongs to."),
    form_data.KEY_FORMAT: _l(
        "A key of lowercase letters, digits, '-' or '_' (64 at most), such as support."
    ),
    form_data.NAME_MISSING: _l("Give the calendar a name."),
    form_data.NAME_TOO_LONG: _l("200 characters at most."),
    form_data.NAME_ONE_LINE: _l(
        "One line, without control characters (no line break, tab or NUL)."
    ),
    form_data.DESCRIPTION_CONTROLS: _l("No control characters (line breaks and tabs only)."),
    form_data.HOURS_MISSING: _l("Type the opening hours of this day, or choose “Closed”."),
}


class Checked:
    """The form checked: the calendar (None when it does not parse), the messages by field,
    and the calendar's problems worded for the preview. Without `owners`, the calendar alone."""

    def __init__(self, data: CalendarFormData, owners: dict[int, str] | None = None) -> None:
        self.built: BuiltCalendar = form_data.build_calendar(data)
        codes = {} if owners is None else form_data.form_problems(data, owners)
        self.errors = {name: str(FORM_MESSAGES[code]) for name, code in codes.items()}
        self.spec, found = form_data.check_calendar(self.built)
        self.problems: list[str] = []
        for where, error in found:
            reason = reader_words(error.code, error.params)
            self.errors.setdefault(where or "calendar", reason)
            label = _label(where)
            self.problems.append(
                str(_("%(field)s: %(reason)s", field=label, reason=reason)) if label else reason
            )


def _label(where: str) -> str:
    """The form field an error is about, as the form names it."""
    if where.startswith("hours-"):
        return str(WEEKDAY[where[6:]])
    if where.startswith("closure-"):
        return str(_("Closure %(number)d", number=int(where[8:]) + 1))
    if where.startswith("worked-"):
        return str(_("Holiday worked %(number)d", number=int(where[7:]) + 1))
    labels = {
        "timezone": _("Time zone"),
        "holidays": _("Public holidays"),
        "hours": _("Opening hours"),
        "name": _("Name"),
    }
    return str(labels.get(where, ""))


def _day_label(day: date) -> str:
    """`lun. 1 déc.`, `Mon, Dec 1`: a day of the preview in the reader's language."""
    return str(format_date(day, "EEE d MMM"))


def _preview_of(spec: CalendarSpec | None) -> Preview | None:
    if spec is None:
        return None
    today = utcnow().astimezone(ZoneInfo(spec.timezone)).date()
    return preview(spec, today, locale=str(get_locale()), closure=_("closure"))


def _page(
    data: CalendarFormData,
    record: VendorCalendar | None,
    owners: dict[int, str],
    checked: Checked,
    *,
    show_errors: bool,
) -> str:
    return render_template(
        "calendars/form.html",
        data=data,
        record=record,
        owners=sorted(owners.items(), key=lambda item: item[1].casefold()),
        zones=form_data.time_zones(data.timezone),
        holiday_sets=holiday_set_choices(data.holidays),
        weekdays=[(day, WEEKDAY[day]) for day in WEEKDAYS],
        errors=checked.errors if show_errors else {},
        preview=_preview_of(checked.spec),
        problems=checked.problems,
        day_label=_day_label,
        day_modes=DAY_MODES,
        is_plain_date=form_data.is_plain_date,
    )


def _key_taken(data: CalendarFormData, record: VendorCalendar | None) -> bool:
    found = (
        db_session()
        .exec(
            select(VendorCalendar).where(
                VendorCalendar.vendor_id == int(data.owner), VendorCalendar.key == data.key
            )
        )
        .first()
    )
    return found is not None and (record is None or found.id != record.id)


def _save(
    data: CalendarFormData, record: VendorCalendar | None, checked: Checked
) -> ResponseReturnValue | None:
    """Write the calendar when everything is right (None otherwise: the form comes back)."""
    if checked.errors or checked.spec is None:
        return None
    taken = _("This vendor already has a calendar with the key %(key)s.", key=data.key)
    if _key_taken(data, record):
        checked.errors["key"] = taken
        return None
    saved = record or VendorCalendar(vendor_id=int(data.owner), key=data.key, definition={})
    saved.vendor_id = int(data.owner)
    saved.key = data.key
    saved.name = data.name
    saved.definition = checked.built.definition
    session = db_session()
    session.add(saved)
    try:
        session.flush()
    except IntegrityError:  # the same key saved meanwhile by someone else
        session.rollback()
        checked.errors["key"] = taken
        return None
    flash(
        _("Calendar %(name)s created.", name=saved.name)
        if record is None
        else _("Calendar %(name)s updated.", name=saved.name),
        "info",
    )
    return redirect(url_for("calendars.show", calendar_id=saved.id))


def _form(record: VendorCalendar | None) -> ResponseReturnValue:
    owners = every_owner(db_session())
    if request.method == "GET":
        data = (
            form_data.blank_form(request.args.get("vendor_id", type=int))
            if record is None
            else form_data.form_of(record.vendor_id, record.key, record.name, record.definition)
        )
        return _page(data, record, owners, Checked(data, owners), show_errors=False)
    data = form_data.read_form(request.form.getlist)
    action = request.form.get("action", "save")
    changed = form_data.apply_row_action(data, action)
    if changed is not None:  # a row added or removed without JavaScript: nothing checked yet
        return _page(changed, record, owners, Checked(changed, owners), show_errors=False)
    checked = Checked(data, owners)
    if action == "save":
        saved = _save(data, record, checked)
        if saved is not None:
            return saved
    return _page(data, record, owners, checked, show_errors=True), (422 if checked.errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@requires_role(Role.admin)
def new() -> ResponseReturnValue:
    return _form(None)


@bp.route("/<int:calendar_id>/edit", methods=["GET", "POST"])
@requires_role(Role.admin)
def edit(calendar_id: int) -> ResponseReturnValue:
    record = db_session().get(VendorCalendar, calendar_id)
    if record is None:
        abort(404)
    return _form(record)


@bp.route("/preview", methods=["POST"])
@requires_role(Role.admin)
def preview_fragment() -> ResponseReturnValue:
    """The preview alone, for the page's script: the calendar as typed, or what is wrong with
    it (still a 200: the preview was made, and it says so; a 4xx is a console error)."""
    checked = Checked(form_data.read_form(request.form.getlist))
    return render_template(
        "calendars/_preview.html",
        preview=_preview_of(checked.spec),
        problems=checked.problems,
        day_label=_day_label,
    )
