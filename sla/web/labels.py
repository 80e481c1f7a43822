"""Words people read for the engine's codes (statuses, event kinds, target kinds, channels,
roles, periods).

Glossary: one French word for one thing, in the pages, the PDF, the XLSX and the CSV (the
English interface uses the English word of the second column). Keys (`bloquant`,
`prise-en-charge`, `psg`, `paused`, `admin`…) stay in URLs, the API and the machine columns
of files; wherever a person reads, the label is shown instead: the contract's severity label,
the label of a target (also for the target a delay is measured from), the calendar's name,
and the words below for the application's own codes.

    Prestataire        vendor           (not « fournisseur »)
    Contrat            contract
    Gravité            severity         (not « sévérité », « criticité », « niveau »)
    Délai              target           a contractual delay: prise en charge, GTI, GTR, résolution
    Échéance           deadline
    Étape              milestone        what meets a delay (prise en charge, contournement…)
    Heure H            reported at      when the incident was reported to the vendor
    Respecté           met              (not « tenu ») « délais respectés », « engagement respecté »
    Dépassé            breached         « délais dépassés »
    Exclu              excluded         an exclusion clause was invoked
    Marge              margin           time left when a met delay's milestone came
    Restant            remaining        time left on a running delay
    Retard             late by          time past the deadline of a breached delay
    Ouvré(e)s          business         « 3 h 30 ouvrées », « 1 h ouvrée », « 5 jours ouvrés »
    Taux de respect    compliance       respectés / (respectés + dépassés)
    Montants € HT      amounts          « 1 600,00 € HT »

Numbers, percentages and amounts go through Babel (`1 600,00 € HT`, `98 %`), plurals through
`ngettext`, and French typography puts a no-break space before « : ».
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from sla.error_codes import STATEMENT_STATES

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
    "corrected": _l("Details corrected"),
}
# The details of an incident that a correction names.
CORRECTED_FIELD = {
    "title": _l("Title"),
    "description": _l("Description"),
    "service": _l("Service"),
    "channel": _l("Channel"),
    "vendor_ticket_ref": _l("Vendor's ticket reference"),
}
TARGET_KIND = {
    "take_charge": _l("take-charge"),
    "first_response": _l("first response"),
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
# Where an alert was delivered, as the alerts page names it.
DELIVERY_CHANNEL = {"email": _l("email"), "webhook": _l("webhook")}
# A contract's dates, as the dashboard and the reports name them.
CONTRACT_DATE = {
    "notice": _l("Last day to give notice"),
    "renewal": _l("Renewal"),
    "end": _l("End of contract"),
}
ROLE = {
    "viewer": _l("viewer"),
    "agent": _l("agent"),
    "admin": _l("administrator"),
}
# An availability commitment's period (the contract document's `period`), as in "per month".
PERIOD = {
    "month": _l("month"),
    "quarter": _l("quarter"),
    "year": _l("year"),
}

# Who the vendor waits on (a target's `pauses`): the waiting states that pause a delay.
WAITING_STATE = {
    "customer": _l("waiting on the customer"),
    "third_party": _l("waiting on a third party"),
}

# A contract's renewal (the contract document's `renewal`).
RENEWAL = {"none": _l("none"), "express": _l("express"), "tacit": _l("tacit")}
# A penalty statement's states: the msgids are the errors' (`sla.error_codes`), one list.
STATEMENT_STATE = {key: _l(msgid) for key, msgid in STATEMENT_STATES.items()}
DECISION = {"applied": _l("applied"), "reduced": _l("reduced"), "waived": _l("waived")}
STEP_KIND = {
    "drafted": _l("Draft drawn up"),
    "notified": _l("Notified to the vendor"),
    "observations": _l("Vendor's observations recorded"),
    "decided": _l("Line decided"),
    "finalised": _l("Statement finalised"),
    "superseded": _l("Superseded"),
    "abandoned": _l("Draft abandoned"),
}
# The days of a calendar's week, by the keys its hours use.
WEEKDAY = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}


# How an account signs in (users.auth_source).
AUTH_SOURCE = {
    "local": _l("Garantie password"),
    "ldap": _l("the directory (LDAP)"),
    "oidc": _l("OpenID Connect"),
}


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        CORRECTED_FIELD=CORRECTED_FIELD,
        TARGET_STATUS=TARGET_STATUS,
        INCIDENT_STATUS=INCIDENT_STATUS,
        EVENT_KIND=EVENT_KIND,
        TARGET_KIND=TARGET_KIND,
        CHANNEL=CHANNEL,
        ROLE=ROLE,
        AUTH_SOURCE=AUTH_SOURCE,
        DELIVERY_CHANNEL=DELIVERY_CHANNEL,
        CONTRACT_DATE=CONTRACT_DATE,
        PERIOD=PERIOD,
        WAITING_STATE=WAITING_STATE,
        RENEWAL=RENEWAL,
        WEEKDAY=WEEKDAY,
        STATEMENT_STATE=STATEMENT_STATE,
        DECISION=DECISION,
        STEP_KIND=STEP_KIND,
    )
