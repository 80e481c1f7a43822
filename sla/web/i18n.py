"""Languages: French by default, English available (Flask-Babel); dates in local time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, session
from flask_babel import Babel, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from sla import formats
from sla.web.settings import app_timezone

LANGUAGES = ("fr", "en")
INSTANT_PATTERN = "EEE d MMM y HH:mm"  # what sla.formats.instant writes


def select_locale() -> str:
    if not has_request_context():  # CLI and scheduler: the configured language
        return str(current_app.config["SLA_SETTINGS"]["app"]["default_locale"])
    if current_user and current_user.is_authenticated and current_user.user.locale in LANGUAGES:
        return str(current_user.user.locale)
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return str(chosen)
    default: str = current_app.config["SLA_SETTINGS"]["app"]["default_locale"]
    # The configured language, not the browser's: the DSI's screens read the same for all.
    return default


def select_timezone() -> str:
    return app_timezone()


def local_datetime(
    value: datetime | None, zone: str | None = None, fmt: str = INSTANT_PATTERN
) -> str:
    """`lun. 3 févr. 2025 14:30`: an instant in a calendar's zone (or the app's), in the
    reader's language; another Babel pattern may be asked for."""
    if fmt == INSTANT_PATTERN:
        return formats.instant(value, zone or select_timezone(), str(get_locale()))
    if value is None:
        return formats.NO_VALUE
    tz = ZoneInfo(zone or select_timezone())
    return str(format_datetime(value.astimezone(tz).replace(tzinfo=None), fmt, rebase=False))


def duration(seconds: float | None, business: bool = True) -> str:
    """`3 h 30 ouvrées` (business time) or `2 h 05` (real time); days beyond 24 h of real time."""
    if seconds is None:
        return "—"
    total = round(abs(seconds) / 60)
    hours, minutes = divmod(total, 60)
    if not business and hours >= 48:
        days, hours = divmod(hours, 24)
        text = _("%(days)d d %(hours)d h", days=days, hours=hours)
    elif hours:
        text = f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
    else:
        text = f"{minutes} min"
    if business:
        text = _("%(time)s business", time=text)
    return str(text)


def percent(value: float | None) -> str:
    """`97,5 %` in French, `97.5 %` in English."""
    if value is None:
        return "—"
    return f"{format_decimal(value, '0.0')}\u00a0%"


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.config["SLA_TRANSLATIONS"]),
    )
    app.jinja_env.filters["local_dt"] = local_datetime
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["percent"] = percent
