"""Errors are data, worded where they are read: in the reader's language and zone in a request
(French by default), in English outside any application context; `str(error)` is the
message; instants read as on the pages (`jeu. 20 nov. 2025 17:30`), never in ISO 8601 nor UTC
on a French page."""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, has_app_context
from flask_babel import force_locale, gettext
from sqlalchemy.engine import Engine

from incidents.service import Conflict, record_event, report_incident
from sla import formats
from sla.db import session_scope
from sla.engine.lifecycle import Event, EventKind, LifecycleError, replay
from sla.error_codes import MESSAGES, word, word_value
from sla.errors import DomainError, NotFound
from tests.errors.test_catalogue import PLACEHOLDER
from tests.support import ALERTS

PARIS = ZoneInfo("Europe/Paris")
H = datetime(2025, 11, 20, 16, 30, tzinfo=UTC)  # heure H: Thursday, 17:30 in Paris
BEFORE = datetime(2025, 11, 19, 10, 0, tzinfo=PARIS)  # the day before, 09:00 UTC
H_IN_PARIS_FR = "jeu. 20 nov. 2025 17:30"
BEFORE_IN_PARIS_FR = "mer. 19 nov. 2025 10:00"
ISO = re.compile(r"\d{4}-\d\d-\d\dT|[+-]\d\d:\d\d\b|UTC")
LIBRICIEL = "D_2024_0110"


@contextmanager
def reading_in(app: Flask, locale: str) -> Iterator[None]:
    """A request of the application (zone Europe/Paris) read in `locale`."""
    with app.test_request_context("/"), force_locale(locale):
        yield


def in_french(app: Flask, msgid: str) -> str:
    """The French catalogue's entry for `msgid` (the msgid itself until it is translated)."""
    with reading_in(app, "fr"):
        return str(gettext(msgid))


# -- outside any application context: English ------------------------------------------------


def test_outside_a_context_the_message_is_english_and_str_is_the_message() -> None:
    error = DomainError("reported_at.future", field="reported_at", reported_at=H)
    assert not has_app_context()
    assert error.code == "reported_at.future"
    assert error.field == "reported_at"
    assert error.params == {"reported_at": H}
    assert error.message == "The time reported (Thu 20 Nov 2025 16:30) cannot be in the future."
    assert str(error) == error.message


def test_outside_a_context_the_errors_zone_words_its_instants() -> None:
    error = DomainError("reported_at.future", reported_at=H, zone="Europe/Paris")
    assert error.message == "The time reported (Thu 20 Nov 2025 17:30) cannot be in the future."


def test_dates_numbers_and_lists_read_as_on_the_pages() -> None:
    late = DomainError("contract.no_sla_in_force", reference="D_1", date=date(2025, 1, 2))
    assert late.message == "Contract D_1 has no SLA in force on 02/01/2025."
    unknown = DomainError("severity.unknown", severity="urgent", known=["bloquant", "majeur"])
    assert (
        unknown.message
        == "Unknown severity 'urgent' (this contract's severities: bloquant, majeur)."
    )
    assert DomainError("text.too_long", max=300).message == "300 characters at most."


def test_a_code_outside_the_catalogue_reads_as_it_is() -> None:
    """A sentence from code not converted yet keeps reading (in English) until it is."""
    assert DomainError("no vendor 3").message == "no vendor 3"


def test_subclasses_and_pickling_keep_the_data() -> None:
    missing = NotFound("contract.not_found", field="contract_id", contract_id=3)
    stale = Conflict(
        "incident.changed", field="revision", incident_id=1, revision=4, expected_revision=3
    )
    assert isinstance(missing, DomainError) and isinstance(stale, DomainError)
    assert stale.message == (
        "Incident 1 was changed by someone else (revision 4, you saw 3): reload it and try again."
    )
    copy = pickle.loads(pickle.dumps(missing))  # noqa: S301 (our own bytes)
    assert (type(copy), copy.code, copy.field, copy.params) == (
        NotFound,
        "contract.not_found",
        "contract_id",
        {"contract_id": 3},
    )


def test_a_translation_that_does_not_fit_its_parameters_gives_way_to_english() -> None:
    def broken(msgid: str) -> str:
        return "%(maximum)d caractères au plus" if msgid.startswith("%(max)d") else msgid

    assert word("text.too_long", {"max": 300}, translate=broken) == "300 characters at most."


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Cayenne", "Pacific/Noumea", "UTC"])
def test_instants_read_as_sla_formats_writes_them(locale: str, zone: str) -> None:
    """Errors word instants with the one formatter of pages, mails and PDFs."""
    start = datetime(2025, 3, 30, 0, 15, tzinfo=UTC)  # across the change to summer time
    for hours in range(0, 24 * 220, 7):
        moment = start + timedelta(hours=hours, minutes=hours % 60)
        worded = word_value("at", moment, translate=str, locale=locale, zone=ZoneInfo(zone))
        assert worded == formats.instant(moment, zone, locale)


# -- in a request: the reader's language and zone --------------------------------------------


def test_in_a_french_request_heure_h_reads_in_paris_time(app: Flask) -> None:
    error = DomainError("reported_at.future", field="reported_at", reported_at=H)
    with reading_in(app, "fr"):
        message = error.message
        assert str(error) == message
    assert message == in_french(app, MESSAGES["reported_at.future"]) % {
        "reported_at": H_IN_PARIS_FR
    }
    assert H_IN_PARIS_FR in message
    assert "16:30" not in message and not ISO.search(message)


def test_in_an_english_request_the_wording_is_english_in_local_time(app: Flask) -> None:
    error = DomainError("reported_at.future", field="reported_at", reported_at=H)
    with reading_in(app, "en"):
        assert error.message == "The time reported (Thu 20 Nov 2025 17:30) cannot be in the future."


def test_the_errors_zone_wins_over_the_readers(app: Flask) -> None:
    """An error about a calendar's instants may carry the calendar's zone."""
    error = DomainError("event.future", kind="closed", at=H, zone="America/Cayenne")
    with reading_in(app, "en"):
        assert error.message == "Closed by the customer: Thu 20 Nov 2025 13:30 is in the future."


def test_a_french_catalogue_entry_is_used(app: Flask) -> None:
    with reading_in(app, "fr"):
        assert DomainError("instant.naive", field="reported_at").message == (
            "Donnez une date et une heure avec leur décalage horaire."
        )


def test_a_command_reads_in_the_configured_language(app: Flask) -> None:
    """No request (the CLI, the scheduler): the configured locale and zone (fr, Paris)."""
    with app.app_context():
        assert DomainError("instant.naive").message == in_french(app, MESSAGES["instant.naive"])
        assert H_IN_PARIS_FR in DomainError("reported_at.future", reported_at=H).message


def _sample(msgid: str) -> dict[str, object]:
    return {
        name: 7 if kind == "d" else ("comment" if name == "kind" else f"<{name}>")
        for name, kind in PLACEHOLDER.findall(msgid)
    }


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_reads_its_french_catalogue_entry(app: Flask, code: str) -> None:
    """The French entry when the catalogue has one, else the English msgid; the event kind
    by its French label."""
    msgid = MESSAGES[code]
    params = _sample(msgid)
    shown = {**params, **({"kind": in_french(app, "Comment")} if "kind" in params else {})}
    with reading_in(app, "fr"):
        message = DomainError(code, field=None, **params).message
    assert message == in_french(app, msgid) % shown


def test_every_code_has_a_french_translation(app: Flask) -> None:
    """In the compiled catalogue: the errors, and the problems of contract documents,
    calendars and imports (`document.*`, `calendar.*`, `import.*`)."""
    assert {"document", "calendar", "import"} <= {code.split(".")[0] for code in MESSAGES}
    untranslated = [code for code, msgid in MESSAGES.items() if in_french(app, msgid) == msgid]
    assert untranslated == []


# -- the lifecycle engine's error, and the service that raises it again ----------------------


def test_the_engine_says_why_as_data() -> None:
    refused = Event(1, EventKind.intervention_started, BEFORE)
    with pytest.raises(LifecycleError) as caught:
        replay(reported_at=H, severity="majeur", events=[refused], now=H + timedelta(hours=1))
    assert caught.value.code == "event.before_heure_h"
    assert caught.value.params == {
        "kind": "intervention_started",
        "event_id": 1,
        "at": BEFORE,
        "reported_at": H,
    }
    # For logs: English, UTC.
    assert str(caught.value) == (
        "Intervention started: Wed 19 Nov 2025 09:00 is before the time reported (Thu 20 Nov 2025 16:30)."
    )


def test_an_event_before_heure_h_names_both_instants_in_local_time(
    app: Flask, engine: Engine, contracts: dict[str, int]
) -> None:
    with session_scope(engine) as session:
        incident = report_incident(
            session,
            contract_id=contracts[LIBRICIEL],
            severity="majeur",
            title="ComElus inaccessible",
            reported_at=H,
            now=H + timedelta(minutes=5),
            user_id=None,
            alert_settings=ALERTS,
        ).incident
        with pytest.raises(DomainError) as caught:
            record_event(
                session,
                incident,
                kind=EventKind.intervention_started,
                occurred_at=BEFORE,
                now=H + timedelta(hours=1),
                user_id=None,
                expected_revision=incident.revision,
                alert_settings=ALERTS,
            )
    error = caught.value
    assert (error.code, error.field) == ("event.before_heure_h", "occurred_at")
    assert error.params["kind"] == "intervention_started"
    assert error.params["at"] == BEFORE and error.params["reported_at"] == H
    with reading_in(app, "fr"):
        message = error.message
    assert message == in_french(app, MESSAGES["event.before_heure_h"]) % {
        "kind": in_french(app, "Intervention started"),
        "at": BEFORE_IN_PARIS_FR,
        "reported_at": H_IN_PARIS_FR,
    }
    assert "Intervention démarrée" in message  # the label, not the key
    assert BEFORE_IN_PARIS_FR in message and H_IN_PARIS_FR in message
    assert "intervention_started" not in message and not ISO.search(message)
    with reading_in(app, "en"):
        assert error.message == (
            "Intervention started: Wed 19 Nov 2025 10:00 is before the time reported (Thu 20 Nov 2025 17:30)."
        )


def test_heure_h_in_the_future_is_refused_with_its_instant(
    app: Flask, engine: Engine, contracts: dict[str, int]
) -> None:
    with session_scope(engine) as session, pytest.raises(DomainError) as caught:
        report_incident(
            session,
            contract_id=contracts[LIBRICIEL],
            severity="majeur",
            title="ComElus inaccessible",
            reported_at=H,
            now=H - timedelta(hours=1),
            user_id=None,
            alert_settings=ALERTS,
        )
    assert (caught.value.code, caught.value.field) == ("reported_at.future", "reported_at")
    with reading_in(app, "fr"):
        assert H_IN_PARIS_FR in caught.value.message
