"""The configuration values views read, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app


def app_timezone() -> str:
    """The zone for dates people read when no calendar says otherwise."""
    zone: str = current_app.config["SLA_SETTINGS"]["app"]["timezone"]
    return zone


def app_zone() -> ZoneInfo:
    return ZoneInfo(app_timezone())


def form_instant(value: datetime | None) -> datetime | None:
    """A local wall time from a form as an aware instant in the application's zone."""
    return None if value is None else value.replace(tzinfo=app_zone())


def at_risk_ratio() -> float:
    """The share of a target's time after which it is shown at risk ([alerts] warn_used_ratio)."""
    ratio: float = current_app.config["SLA_SETTINGS"]["alerts"]["warn_used_ratio"]
    return ratio


def alert_settings() -> Mapping[str, Any]:
    """The [alerts] section: thresholds the incident services store warnings with."""
    section: Mapping[str, Any] = current_app.config["SLA_SETTINGS"]["alerts"]
    return section
