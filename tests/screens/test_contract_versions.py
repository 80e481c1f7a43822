"""The contract page presents the version in force today, not the latest recorded: an
amendment that takes effect later is listed as scheduled, with its date and what it changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.contracts.document import read_contract_text
from sla.contracts.models import Contract
from sla.contracts.service import import_documents
from sla.contracts.views import ChangeKind, TermsChange, terms_changes
from sla.db import session_scope, utcnow
from sla.engine.terms import Duration, DurationUnit, SeverityTerms, SlaTerms, TargetKind
from sla.engine.terms import TargetTerms as Target
from sla.web.roles import Role
from sla.web.settings import app_zone
from tests.screens.conftest import french, text_of

REFERENCE = "AVENANT-2025"
HOURS = 'mon = ["09:00-18:00"]\ntue = ["09:00-18:00"]\nwed = ["09:00-18:00"]\n'


def document(effective_from: date, start: date, severities: str) -> str:
    return f"""format = 1
[vendor]
name = "Prestataire"
[calendars.ouvres]
name = "Heures ouvrées"
timezone = "Europe/Paris"
holidays = "FR"
[calendars.ouvres.hours]
{HOURS}
[contract]
reference = "{REFERENCE}"
title = "Maintenance de la messagerie"
services = ["Messagerie"]
start = {start.isoformat()}
initial_months = 12
renewal = "tacit"
calendar = "ouvres"
[sla]
effective_from = {effective_from.isoformat()}
{severities}"""


V1 = """
[[sla.severities]]
key = "bloquant"
label = "Bloquant"
definition = "Plus rien ne marche."
[[sla.severities.targets]]
key = "gti"
kind = "take_charge"
label = "GTI"
business_hours = 4
[[sla.severities.targets]]
key = "gtr"
kind = "restoration"
label = "GTR"
business_hours = 8
[[sla.severities]]
key = "mineur"
label = "Mineur"
definition = "Une gêne."
[[sla.severities.targets]]
key = "correctif"
kind = "resolution"
label = "Correctif"
business_days = 10
"""

# From next month: GTR in 6 hours instead of 8, the GTI dropped, a resolution added, and the
# minor level replaced by a major one.
V2 = """
[[sla.severities]]
key = "bloquant"
label = "Bloquant"
definition = "Plus rien ne marche."
[[sla.severities.targets]]
key = "gtr"
kind = "restoration"
label = "GTR"
business_hours = 6
[[sla.severities.targets]]
key = "resolution"
kind = "resolution"
label = "Résolution"
business_days = 2
end_of_day = true
[[sla.severities]]
key = "majeur"
label = "Majeur"
definition = "Un service dégradé."
[[sla.severities.targets]]
key = "gtr"
kind = "restoration"
label = "GTR majeur"
business_hours = 16
"""


def today_of(app: Flask) -> date:
    with app.app_context():
        return utcnow().astimezone(app_zone()).date()


def amended_contract(app: Flask, engine: Engine) -> tuple[int, date, date]:
    """A contract in force since last year, amended today with effect next month."""
    today = today_of(app)
    start = today.replace(day=1) - timedelta(days=365)
    start = start.replace(day=1)
    upcoming = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    with session_scope(engine) as session:
        import_documents(
            session,
            [("v1.toml", read_contract_text(document(start, start, V1), "v1.toml"))],
            now=utcnow(),
        )
        import_documents(
            session,
            [("v2.toml", read_contract_text(document(upcoming, start, V2), "v2.toml"))],
            now=utcnow(),
        )
        contract = session.exec(select(Contract).where(Contract.reference == REFERENCE)).one()
        return contract.id or 0, start, upcoming


def service_levels(page: str) -> str:
    """The table of the levels presented as the contract's SLA."""
    match = re.search(r'<table class="sla">.*?</table>', page, flags=re.S)
    assert match
    return match.group(0)


def test_after_a_future_amendment_the_page_shows_the_version_in_force_and_the_scheduled_one(
    app: Flask, engine: Engine, client_as: Callable[[Role], FlaskClient]
) -> None:
    contract_id, start, upcoming = amended_contract(app, engine)
    page = text_of(client_as(Role.viewer).get(f"/contracts/{contract_id}"))
    day = start.strftime("%d/%m/%Y")
    # Version 1 is the one in force, with its figures.
    assert f"1, {french(app, 'in force from %(d)s', d=day)}" in page
    table = service_levels(page)
    assert "Mineur" in table and "Correctif" in table and "GTI" in table
    assert "Majeur" not in table and "Résolution" not in table
    assert f"2, {french(app, 'in force from %(d)s', d=upcoming.strftime('%d/%m/%Y'))}" not in page
    # Version 2 is scheduled, with its date and what it changes.
    next_day = upcoming.strftime("%d/%m/%Y")
    assert french(app, "Version %(n)d, scheduled from %(d)s", n=2, d=next_day) in page
    changes = dict(re.findall(r'<li data-change="([a-z_]+)">(.*?)</li>', page, flags=re.S))
    assert set(changes) == {
        "delay_changed",
        "target_removed",
        "target_added",
        "severity_added",
        "severity_removed",
    }
    assert "GTR" in changes["delay_changed"] and "Bloquant" in changes["delay_changed"]
    assert "GTI" in changes["target_removed"]
    assert "Résolution" in changes["target_added"]
    assert "Majeur" in changes["severity_added"] and "GTR majeur" in changes["severity_added"]
    assert "Mineur" in changes["severity_removed"]
    states = re.findall(r'data-version-state="([a-z]+)"', page)
    assert states == ["scheduled", "current"]  # newest first


def test_once_its_date_has_come_the_amendment_is_the_version_in_force(
    app: Flask, engine: Engine, client_as: Callable[[Role], FlaskClient]
) -> None:
    contract_id, _start, upcoming = amended_contract(app, engine)
    # Time passes: the amendment's date is moved back to today (as if its day had come).
    from sla.contracts.models import ContractVersion

    today = today_of(app)
    with session_scope(engine) as session:
        version = session.exec(select(ContractVersion).where(ContractVersion.number == 2)).one()
        version.effective_from = today
    page = text_of(client_as(Role.viewer).get(f"/contracts/{contract_id}"))
    assert f"2, {french(app, 'in force from %(d)s', d=today.strftime('%d/%m/%Y'))}" in page
    assert "Majeur" in service_levels(page)
    assert 'data-change="' not in page
    assert re.findall(r'data-version-state="([a-z]+)"', page) == ["current", "superseded"]
    assert upcoming > today


def test_before_its_first_version_takes_effect_the_page_says_when_it_will(
    app: Flask, engine: Engine, client_as: Callable[[Role], FlaskClient]
) -> None:
    today = today_of(app)
    later = today + timedelta(days=10)
    with session_scope(engine) as session:
        import_documents(
            session,
            [("v1.toml", read_contract_text(document(later, later, V1), "v1.toml"))],
            now=utcnow(),
        )
        contract_id = session.exec(select(Contract)).one().id
    page = text_of(client_as(Role.viewer).get(f"/contracts/{contract_id}"))
    day = later.strftime("%d/%m/%Y")
    assert french(app, "takes effect on %(d)s", d=day) in page
    assert french(app, "in force from %(d)s", d=day) not in page


def duration(hours: float) -> Duration:
    return Duration(DurationUnit.business_seconds, hours * 3600)


def severity(key: str, *targets: Target) -> SeverityTerms:
    return SeverityTerms(key, key.title(), "", targets)


def target(key: str, delay: Duration) -> Target:
    return Target(key, TargetKind.restoration, key.upper(), delay)


def terms(*severities: SeverityTerms) -> SlaTerms:
    return SlaTerms(date(2025, 1, 1), severities)


def test_terms_changes_are_empty_between_equal_terms() -> None:
    same = terms(severity("bloquant", target("gtr", duration(8))))
    assert terms_changes(same, same) == []


def test_terms_changes_compare_unit_amount_and_end_of_day_per_target_key() -> None:
    days = Duration(DurationUnit.business_days, 2)
    before = terms(
        severity(
            "bloquant",
            target("gtr", duration(8)),
            target("gti", duration(4)),
            target("resolution", days),
            target("rapport", Duration(DurationUnit.none)),
        )
    )
    after = terms(
        severity(
            "bloquant",
            target("gtr", duration(8)),  # unchanged
            target("gti", Duration(DurationUnit.calendar_seconds, 4 * 3600)),  # another unit
            target("resolution", Duration(DurationUnit.business_days, 2, end_of_day=True)),
            target("rapport", Duration(DurationUnit.none)),  # unchanged
        )
    )
    assert terms_changes(before, after) == [
        TermsChange(
            ChangeKind.delay_changed,
            "Bloquant",
            "GTI",
            before=duration(4),
            after=Duration(DurationUnit.calendar_seconds, 4 * 3600),
        ),
        TermsChange(
            ChangeKind.delay_changed,
            "Bloquant",
            "RESOLUTION",
            before=days,
            after=Duration(DurationUnit.business_days, 2, end_of_day=True),
        ),
    ]


def test_terms_changes_name_targets_and_severities_added_and_removed() -> None:
    before = terms(
        severity("bloquant", target("gti", duration(4)), target("gtr", duration(8))),
        severity("mineur", target("gtr", duration(40))),
    )
    after = terms(
        severity("bloquant", target("gtr", duration(6)), target("resolution", duration(24))),
        severity("majeur", target("gtr", duration(16))),
    )
    assert terms_changes(before, after) == [
        TermsChange(
            ChangeKind.delay_changed, "Bloquant", "GTR", before=duration(8), after=duration(6)
        ),
        TermsChange(ChangeKind.target_added, "Bloquant", "RESOLUTION", after=duration(24)),
        TermsChange(ChangeKind.target_removed, "Bloquant", "GTI", before=duration(4)),
        TermsChange(ChangeKind.severity_added, "Majeur", targets=(("GTR", duration(16)),)),
        TermsChange(ChangeKind.severity_removed, "Mineur", targets=(("GTR", duration(40)),)),
    ]


def test_a_contract_without_any_version_is_not_found_rather_than_an_error(
    engine: Engine, client_as: Callable[[Role], FlaskClient]
) -> None:
    from sla.contracts.models import Vendor

    now = utcnow()
    with session_scope(engine) as session:
        vendor = Vendor(name="Sans version", created_at=now)
        session.add(vendor)
        session.flush()
        contract = Contract(
            vendor_id=vendor.id or 0,
            reference="SANS-VERSION",
            title="Contrat sans version",
            start_date=now.date(),
            calendar_key="ouvres",
            created_at=now,
            updated_at=now,
        )
        session.add(contract)
        session.flush()
        contract_id = contract.id
    client = client_as(Role.admin)
    for url in ("", "/export.toml", "/amend"):
        assert client.get(f"/contracts/{contract_id}{url}").status_code == 404, url


def test_terms_changes_see_a_target_counted_otherwise_and_new_exclusions() -> None:
    from dataclasses import replace

    from sla.engine.terms import ExclusionTerms, WaitingState

    gtr = target("gtr", duration(8))
    before = terms(severity("bloquant", gtr))
    frozen_by_both = replace(gtr, pauses=frozenset(WaitingState), origin="pec")
    after = replace(
        terms(severity("bloquant", frozen_by_both)),
        exclusions=(ExclusionTerms("tierce", "Application tierce", targets=("gtr",)),),
    )
    changes = terms_changes(before, after)
    assert [(c.kind, c.aspects) for c in changes] == [
        (ChangeKind.terms_changed, ("origin", "pauses")),
        (ChangeKind.exclusions_changed, ()),
    ]
