"""Words people read for the engine's codes (statuses, event kinds, target kinds, channels)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

TARGET_STATUS = {
    "running": _l("running"),
    "paused": _l("paused"),
    "at_risk": _l("at risk"),
    "breached": _l("breached"),
    "met": _l("met"),
    "pending": _l("waiting for its start"),
    "not_applicable": _l("not applicable"),
    "excluded": _l("excluded"),
}
INCIDENT_STATUS = {
    "open": _l("open"),
    "paused": _l("waiting on us"),
    "resolved": _l("resolved"),
    "closed": _l("closed"),
}
EVENT_KIND = {
    "acknowledged": _l("Acknowledged (prise en charge)"),
    "intervention_started": _l("Intervention started"),
    "waiting_customer": _l("Waiting on the customer"),
    "waiting_third_party": _l("Waiting on a third party"),
    "resumed": _l("Resumed"),
    "workaround": _l("Workaround provided (service restored)"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed by the customer"),
    "reopened": _l("Reopened"),
    "requalified": _l("Severity requalified"),
    "exclusion_invoked": _l("Exclusion invoked"),
    "comment": _l("Comment"),
    "cancellation": _l("Correction: event cancelled"),
}
TARGET_KIND = {
    "take_charge": _l("take-charge"),
    "intervention": _l("intervention (GTI)"),
    "restoration": _l("restoration (GTR)"),
    "resolution": _l("resolution"),
    "other": _l("other"),
}
CHANNEL = {
    "phone": _l("phone"),
    "email": _l("email"),
    "portal": _l("vendor portal"),
    "other": _l("other"),
}


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        TARGET_STATUS=TARGET_STATUS,
        INCIDENT_STATUS=INCIDENT_STATUS,
        EVENT_KIND=EVENT_KIND,
        TARGET_KIND=TARGET_KIND,
        CHANNEL=CHANNEL,
    )
