"""The words of domain errors: a catalogue of codes, and how an error reads in a language.

Errors are data: an engine or a service raises a code (`"reported_at.future"`), the field at
fault and parameters (instants as aware datetimes). Here each code has its English msgid,
marked with `N_` for `pybabel extract` (the French is in the translations catalogue);
`word` writes the sentence in a language and a zone, with the translation function the
caller gives (Flask-Babel's `gettext` in a request, none for English).

Pure: no Flask, no database (the lifecycle engine words its errors for logs with it). Instants
read as on the pages, `lun. 3 févr. 2025 14:30` (Babel's pattern `EEE d MMM y HH:mm`, what
`sla.formats.instant` writes: this module sits below `sla.formats` and may not import it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import format_decimal

from sla import formats
from sla.problem_codes import PROBLEM_MESSAGES

Translate = Callable[[str], str]

DATE_FORMAT: Final = "%d/%m/%Y"  # as the pages show a contract's dates
NO_VALUE: Final = "—"


def N_(message: str) -> str:
    """Mark a msgid for extraction; it is translated when the error is worded."""
    return message


# Every code, with its English msgid. `%(name)s` are the error's parameters, worded by
# `word`: instants in local time, dates as on the pages, lists joined, `kind` by its label.
# The problems of contract documents, calendars and imports are in `sla.problem_codes`.
MESSAGES: Final[Mapping[str, str]] = {
    # -- any form ---------------------------------------------------------------------------
    "instant.naive": N_("Give a date and time with its offset."),
    "text.too_long": N_("%(max)d characters at most."),
    "text.one_line": N_("One line, without control characters (no line break, tab or NUL)."),
    "text.control_characters": N_("No control characters (line breaks and tabs only)."),
    "service.unknown": N_("This service is not in the contract."),
    # -- incidents --------------------------------------------------------------------------
    "incident.not_found": N_("Unknown incident."),
    "incident.changed": N_(
        "Incident %(incident_id)s was changed by someone else (revision %(revision)s, you saw "
        "%(expected_revision)s): reload it and try again."
    ),
    "incident.version_lost": N_("Incident %(incident_id)s has lost its contract version."),
    "reported_at.future": N_("The time reported (%(reported_at)s) cannot be in the future."),
    "title.empty": N_("Give a title."),
    "channel.unknown": N_("Choose a channel among %(known)s."),
    "severity.unknown": N_(
        "Unknown severity '%(severity)s' (this contract's severities: %(known)s)."
    ),
    "target.unknown": N_("Unknown target '%(target)s' (this contract's targets: %(known)s)."),
    "comment.empty": N_("Write the comment."),
    "correction.through_details": N_("Details are corrected with the correction form."),
    "correction.nothing": N_("Nothing to correct: the details are unchanged."),
    "correction.unknown_field": N_("%(name)s cannot be corrected."),
    "cancellation.of_correction": N_("A correction is not cancelled: correct the detail again."),
    "cancellation.no_event": N_("Say which event is cancelled."),
    "cancellation.no_reason": N_("Say why the event is cancelled."),
    "cancellation.unknown_event": N_("Unknown event to cancel."),
    "cancellation.of_cancellation": N_(
        "A cancellation cannot itself be cancelled: record the event again."
    ),
    # -- an incident's events (sla.engine.lifecycle); `kind` is the refused event's kind ------
    "event.before_heure_h": N_("%(kind)s: %(at)s is before the time reported (%(reported_at)s)."),
    "event.future": N_("%(kind)s: %(at)s is in the future."),
    "event.incident_closed": N_("%(kind)s: the incident is closed (reopen it first)."),
    "event.unknown_severity": N_(
        "%(kind)s: unknown severity '%(severity)s' (this contract's severities: %(known)s)."
    ),
    "event.unknown_clause": N_(
        "%(kind)s: unknown clause '%(clause)s' (this contract's clauses: %(known)s)."
    ),
    "event.no_clause": N_("%(kind)s: this contract has no exclusion clause."),
    "event.already_acknowledged": N_("%(kind)s: the incident is already acknowledged."),
    "event.already_started": N_("%(kind)s: the intervention has already started."),
    "event.already_waiting": N_("%(kind)s: the incident is already waiting (resume it first)."),
    "event.resolved": N_("%(kind)s: the incident is resolved."),
    "event.not_waiting": N_("%(kind)s: the incident is not waiting."),
    "event.already_restored": N_("%(kind)s: the service is already restored."),
    "event.already_resolved": N_("%(kind)s: the incident is already resolved."),
    "event.not_reopenable": N_("%(kind)s: the incident is neither resolved nor closed."),
    "event.same_severity": N_("%(kind)s: the severity is already '%(severity)s'."),
    "event.no_reason": N_("%(kind)s: give the reason."),
    "event.no_justification": N_("%(kind)s: say why the clause applies."),
    "exclusion.not_covered": N_(
        "This clause does not cover the delay %(target)s: it covers %(covers)s only."
    ),
    # -- penalty statements ------------------------------------------------------------------
    "penalty.not_found": N_("Unknown penalty statement."),
    "penalty.line_not_found": N_("This line is not in the statement."),
    "penalty.changed": N_(
        "Statement %(statement_id)s was changed by someone else (revision %(revision)s, you saw "
        "%(expected_revision)s): reload it and try again."
    ),
    "penalty.period_kind": N_("Choose a period among %(known)s."),
    "penalty.period_end": N_("Give the last day of the period."),
    "penalty.period_order": N_("The last day (%(last)s) comes before the first (%(first)s)."),
    "penalty.period_not_over": N_(
        "The period is not over (it ends on %(last)s): a statement covers a period that has ended."
    ),
    "penalty.no_clauses": N_("Contract %(reference)s sets no penalty."),
    "penalty.statement_exists": N_(
        "Statement %(statement_id)s already covers %(first)s to %(last)s for this contract: "
        "open it, or supersede it once it is final."
    ),
    "penalty.not_draft": N_("Only a draft can be notified or abandoned; this one is %(state)s."),
    "penalty.already_notified": N_(
        "This statement was already notified to the vendor on %(notified_at)s."
    ),
    "penalty.not_notified": N_(
        "Notify the statement to the vendor first: the vendor must be able to answer before "
        "anything is decided (CCAG-TIC 2021 art. 14.1.1)."
    ),
    "penalty.closed": N_("This statement is %(state)s: it can no longer change."),
    "penalty.not_final": N_("Only a final statement can be superseded; this one is %(state)s."),
    "penalty.no_address": N_(
        "No address to notify contract %(reference)s to: give the vendor's support e-mail or "
        "the contract's notify_to in [penalties]."
    ),
    "penalty.answer_period_open": N_(
        "The vendor may answer until %(answer_due_at)s: record its observations, or wait until "
        "then to decide."
    ),
    "penalty.decision": N_("Choose a decision among %(known)s."),
    "penalty.reason_needed": N_("Give the reason."),
    "penalty.amount": N_("Give the reduced amount in euros excluding VAT, e.g. 120.50."),
    "penalty.not_reduced": N_(
        "A reduced amount is below the line's amount (%(amount)s EUR excl. tax)."
    ),
    "penalty.undecided": N_("Decide every line first (lines still to decide: %(count)s)."),
    "penalty.observations_empty": N_("Write the observations or attach a file."),
    "penalty.received_before_notice": N_(
        "Received on %(received_at)s, before the notification (%(notified_at)s)."
    ),
    "penalty.received_future": N_("The date received (%(received_at)s) cannot be in the future."),
    "penalty.too_many_files": N_("%(max)s files at most."),
    "penalty.file_too_large": N_("%(filename)s is larger than %(max)s MB."),
    # -- outages ----------------------------------------------------------------------------
    "outage.not_found": N_("Unknown outage."),
    "outage.start_future": N_("The start cannot be in the future."),
    "outage.end_future": N_("The end cannot be in the future."),
    "outage.end_before_start": N_("The end must come after the start."),
    "outage.incident_unknown": N_("No incident with this number on this contract."),
    "outage.cancelled": N_("This outage was cancelled."),
    "outage.already_ended": N_("This outage already has its end."),
    "outage.already_cancelled": N_("This outage was already cancelled."),
    "outage.no_reason": N_("Say why it is cancelled."),
    # -- contracts and vendors --------------------------------------------------------------
    "contract.not_found": N_("Unknown contract."),
    "contract.no_version": N_("Contract %(reference)s has no version."),
    "contract.no_sla_in_force": N_("Contract %(reference)s has no SLA in force on %(date)s."),
    "contract_version.invalid": N_("Stored version %(version_id)s is invalid: %(problem)s"),
    "vendor.not_found": N_("Unknown vendor."),
    # -- accounts ---------------------------------------------------------------------------
    "username.invalid": N_(
        "2 to 64 characters: lowercase letters, digits, '.', '_', '-', '@' or '+'"
    ),
    "username.taken": N_("the username %(name)s is taken"),
    "password.too_short": N_("at least %(count)d characters"),
    "role.last_admin": N_("the last active administrator cannot lose that role"),
    "user.unsaved": N_("save the user first"),
    "token.no_name": N_("give the token a name"),
    "token.not_found": N_("no such token"),
    "user.external_password": N_(
        "this account signs in through the directory or OpenID Connect: it has no Garantie password"
    ),
    # -- a contract document, a calendar, an import (`document.*`, `calendar.*`, `import.*`):
    # their own module, for their number; one catalogue for `word` ----------------------------
    **PROBLEM_MESSAGES,
}

# The labels of the lifecycle's event kinds, for the `kind` parameter: the msgids of
# sla.web.labels.EVENT_KIND (one translation each), which this layer may not import.
EVENT_KINDS: Final[Mapping[str, str]] = {
    "acknowledged": N_("Acknowledged (prise en charge)"),
    "intervention_started": N_("Intervention started"),
    "waiting_customer": N_("Waiting on the customer"),
    "waiting_third_party": N_("Waiting on a third party"),
    "resumed": N_("Resumed"),
    "workaround": N_("Workaround provided (service restored)"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed by the customer"),
    "reopened": N_("Reopened"),
    "requalified": N_("Severity requalified"),
    "exclusion_invoked": N_("Exclusion invoked"),
    "comment": N_("Comment"),
    "cancellation": N_("Correction: event cancelled"),
    "corrected": N_("Details corrected"),
}

# Parameters whose values are keys read through a table of labels.
# A penalty statement's states (`sla.penalties.statement.State`), as pages and errors name them.
STATEMENT_STATES: Final[Mapping[str, str]] = {
    "draft": N_("draft"),
    "notified": N_("notified, awaiting the vendor's answer"),
    "observations": N_("observations received"),
    "final": N_("final"),
    "superseded": N_("superseded"),
    "abandoned": N_("abandoned"),
}
LABELLED: Final[Mapping[str, Mapping[str, str]]] = {
    "kind": EVENT_KINDS,
    "state": STATEMENT_STATES,
}


def _same(message: str) -> str:
    return message


def zone_of(params: Mapping[str, object], default: tzinfo | None = None) -> tzinfo:
    """The zone instants are worded in: the error's `zone` (an IANA name: the calendar's or
    the application's), else `default` (the reader's), else UTC."""
    name = params.get("zone")
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return default or UTC


def word_value(
    name: str, value: object, *, translate: Translate, locale: str, zone: tzinfo
) -> object:
    """One parameter as the sentence shows it (numbers stay numbers, for `%(n)d`)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        # The one instant formatter of pages, mails and PDFs.
        # A ZoneInfo names itself `key`, Flask-Babel's (pytz) zones `zone`.
        name = getattr(zone, "key", None) or getattr(zone, "zone", None) or "UTC"
        return formats.instant(moment, str(name), locale)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):  # an amount: to the cent, as the locale writes numbers
        return format_decimal(value, "#,##0.00", locale=locale).replace("\u202f", " ")
    if isinstance(value, str):
        labels = LABELLED.get(name)
        if labels is not None and value in labels:
            return translate(labels[value])
        return value
    if isinstance(value, Iterable):
        items = [
            word_value(name, item, translate=translate, locale=locale, zone=zone) for item in value
        ]
        return ", ".join(str(item) for item in items) or NO_VALUE
    return NO_VALUE if value is None else str(value)


def word(
    code: str,
    params: Mapping[str, object],
    *,
    translate: Translate = _same,
    locale: str = "en",
    zone: tzinfo | None = None,
) -> str:
    """The error as a sentence: its code's msgid through `translate`, with its parameters in
    `locale` and in the error's zone (else `zone`, else UTC). Never raises: a translation that
    does not fit the parameters gives way to the English, a code outside the catalogue (a
    sentence from code not converted yet) reads as it is."""
    msgid = MESSAGES.get(code)
    if msgid is None:
        return code
    where = zone_of(params, zone)
    values = {
        name: word_value(name, value, translate=translate, locale=locale, zone=where)
        for name, value in params.items()
    }
    for text in (translate(msgid), msgid):
        try:
            return text % values
        except (KeyError, ValueError, TypeError):
            continue
    return code
