"""The configuration values views read, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from sla.db import utcnow
from sla.printing.organisation import Organisation


def app_timezone() -> str:
    """The zone for dates people read when no calendar says otherwise."""
    zone: str = current_app.config["SLA_SETTINGS"]["app"]["timezone"]
    return zone


def app_zone() -> ZoneInfo:
    return ZoneInfo(app_timezone())


def form_instant(value: datetime | None) -> datetime | None:
    """A local wall time from a form as an aware instant in the application's zone."""
    return None if value is None else value.replace(tzinfo=app_zone())


def organisation() -> Organisation:
    """Who the documents are from (`[organisation]`)."""
    return Organisation.from_settings(current_app.config["SLA_SETTINGS"]["organisation"])


def documents_locale() -> str:
    """The language of the documents the organisation keeps and sends (a penalty letter, a
    final statement, an archived report): the application's, whoever makes them."""
    return str(current_app.config["SLA_SETTINGS"]["app"]["default_locale"])


def now_and_today() -> tuple[datetime, date]:
    """Now, and today's date in the application's zone."""
    now = utcnow()
    return now, now.astimezone(app_zone()).date()


def at_risk_ratio() -> float:
    """The share of a target's time after which it is shown at risk ([alerts] warn_used_ratio)."""
    ratio: float = current_app.config["SLA_SETTINGS"]["alerts"]["warn_used_ratio"]
    return ratio


def alert_settings() -> Mapping[str, Any]:
    """The [alerts] section: thresholds the incident services store warnings with."""
    section: Mapping[str, Any] = current_app.config["SLA_SETTINGS"]["alerts"]
    return section
