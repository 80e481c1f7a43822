"""Languages: French by default, English available (Flask-Babel); dates in local time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_percent
from flask import Flask, current_app, has_request_context, session
from flask_babel import (
    Babel,
    format_currency,
    format_date,
    format_datetime,
    get_locale,
    npgettext,
)
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


def local_day(value: date | None) -> str:
    """A calendar day in the reader's language: `30 nov. 2026`, `Nov 30, 2026`."""
    return formats.NO_VALUE if value is None else str(format_date(value, "medium"))


# How long durations read (the PDF and the mails follow the same rule, `sla.reports.text.hours`):
# minutes below an hour, hours and minutes below WHOLE_HOURS_FROM hours, whole hours beyond
# (a business day's length depends on the calendar, so business time is never put in days);
# real time of two days or more in days and hours.
WHOLE_HOURS_FROM = formats.WHOLE_HOURS_FROM


def _clock(seconds: float) -> tuple[int, int]:
    """Hours and minutes of a duration as people read it (minutes dropped from 100 h on)."""
    total = round(abs(seconds) / 60)
    hours, minutes = divmod(total, 60)
    if hours >= WHOLE_HOURS_FROM:
        return (total + 30) // 60, 0
    return hours, minutes


def duration(seconds: float | None, business: bool = True) -> str:
    """`45 min`, `3 h 30`, `896 h` of business time (`1 h 30 ouvrée`, `3 h ouvrées` in
    French); real time from two days on as `2 j 5 h` (`60 j`)."""
    if seconds is None:
        return "—"
    hours, minutes = _clock(seconds)
    if not business and hours >= 48:
        days, hours = divmod(round(abs(seconds) / 3600), 24)
        if not hours:
            return str(_("%(days)d d", days=days))
        return str(_("%(days)d d %(hours)d h", days=days, hours=hours))
    text = (f"{hours} h {minutes:02d}" if minutes else f"{hours} h") if hours else f"{minutes} min"
    if not business:
        return text
    # French agrees "ouvrée(s)" with the hours (or the minutes below an hour): plural from 2.
    return str(
        npgettext("duration", "%(time)s business", "%(time)s business", hours or minutes, time=text)
    )


def percent(value: float | None) -> str:
    """`97,5 %` and `98 %` in French, `97.5%` and `98%` in English (one decimal at most)."""
    if value is None:
        return "—"
    share = Decimal(f"{value:.1f}") / 100
    return str(format_percent(share, locale=get_locale(), decimal_quantization=False))


def money(value: Decimal | float | None) -> str:
    """An amount excluding tax: `1 600,00 € HT` in French, `€1,600.00 excl. tax` in English."""
    if value is None:
        return "—"
    return str(_("%(amount)s excl. tax", amount=format_currency(value, "EUR")))


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.config["SLA_TRANSLATIONS"]),
    )
    app.jinja_env.filters["local_dt"] = local_datetime
    app.jinja_env.filters["local_day"] = local_day
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["money"] = money
