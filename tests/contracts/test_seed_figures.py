"""The seed contracts' figures as `examples/contracts/` encodes them, each checked against the
seed text it quotes (shared/seeds/, beside the project), and the corrected files imported over
the encodings they replace.

Each test checks the encoding and its behaviour first, then the quoted wording: where the seeds
are not beside the project, it stops there (skipped) after what it could check without them.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from incidents.models import Incident
from incidents.service import report_incident
from sla.contracts.document import DocumentError, read_contract_file, read_contract_text
from sla.contracts.models import Contract, ContractVersion
from sla.contracts.service import document_of, import_documents, version_in_force
from sla.db import session_scope, utcnow
from sla.engine.lifecycle import EventKind
from sla.engine.target_states import TargetStatus
from sla.engine.terms import DurationUnit, SlaTerms, TargetKind, TargetTerms, WaitingState
from tests.conftest import EXAMPLES
from tests.engine.worked import ev, targets
from tests.support import ALERTS

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
PROJECT = EXAMPLES.parents[1]
# The seed contracts (French public records), kept beside their encodings.
SEEDS = EXAMPLES / "sources"
# The encodings as they were before this correction (format 1, from commit 9b0681e).
FORMAT_1 = Path(__file__).parent / "format1"
GALLIMEDIA = "gallimedia-osny.toml"
LIBRICIEL = "libriciel-comelus.toml"
AUKFOOD = "aukfood-miramas.toml"
SMICA = "smica-druelle-balsac.toml"
OPERIS = "operis-oxalis.toml"
SEED_OF = {
    GALLIMEDIA: "000_e5899d48535f12ae.txt",
    LIBRICIEL: "001_f5719e3ff4414722.txt",
    AUKFOOD: "002_be4cc5d45c5caaec.txt",
    SMICA: "003_4ec25571279bd3c5.txt",
    OPERIS: "004_4de35dfd81cdcc30.txt",
}
BOTH = {WaitingState.customer, WaitingState.third_party}


def normalised(text: str) -> str:
    """Words as the seed's conversion to text left them: bold marks and superscript braces
    dropped (`1^{er}` reads 1er), every run of spaces one space."""
    text = re.sub(r"\^\{(\w+)\}", r"\1", text.replace("**", ""))
    return re.sub(r"\s+", " ", text).strip()


def seed(file: str) -> str:
    return normalised((SEEDS / SEED_OF[file]).read_text(encoding="utf-8"))


def assert_quoted(file: str, *phrases: str) -> None:
    """Each phrase occurs in the file's seed (its parts around an ellipsis, in that order)."""
    text = seed(file)
    for phrase in phrases:
        position = 0
        for part in re.split(r"\s*(?:\.\.\.|…)\s*", normalised(phrase)):
            if part:
                found = text.find(part, position)
                assert found >= 0, f"{file}: {part!r} is not in {SEED_OF[file]}"
                position = found + len(part)


def figure_lines(file: str) -> list[str]:
    """The lines that set a value and comment on it (`key = value  # …`)."""
    return [
        line
        for line in (EXAMPLES / file).read_text(encoding="utf-8").splitlines()
        if "#" in line and not line.lstrip().startswith("#")
    ]


def comment_quotes(line: str) -> list[str]:
    return re.findall(r'"([^"]+)"', line.partition("#")[2])


def terms(file: str) -> SlaTerms:
    return read_contract_file(EXAMPLES / file).sla


def target(sla: SlaTerms, severity: str, key: str) -> TargetTerms:
    return next(t for t in sla.severity(severity).targets if t.key == key)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


# ---- every file -----------------------------------------------------------------------------


@pytest.mark.parametrize("file", sorted(SEED_OF))
def test_every_quote_beside_a_figure_is_in_the_seed(file: str) -> None:
    """What a figure's comment puts in quotes is the contract's own wording."""
    quotes = [quote for line in figure_lines(file) for quote in comment_quotes(line)]
    assert len(quotes) >= 8
    assert_quoted(file, *quotes)


@pytest.mark.parametrize("file", sorted(SEED_OF))
def test_every_target_says_which_waits_pause_it(file: str) -> None:
    """Format 2, and `pauses` written on every target: none relies on a default."""
    data = tomllib.loads((EXAMPLES / file).read_text(encoding="utf-8"))
    assert data["format"] == 2
    for severity in data["sla"]["severities"]:
        for item in severity["targets"]:
            assert isinstance(item.get("pauses"), list), (file, severity["key"], item["key"])


@pytest.mark.parametrize("file", [GALLIMEDIA, AUKFOOD, SMICA, OPERIS])
def test_a_contract_silent_on_freezing_takes_the_default(file: str) -> None:
    """These contracts freeze no delay: each target is paused by waiting on the customer only
    (DOMAIN.md's default), and the file says why."""
    for severity in terms(file).severities:
        for item in severity.targets:
            assert item.pauses == {WaitingState.customer}, (severity.key, item.key)
            assert item.pauses_article == ""
    text = (EXAMPLES / file).read_text(encoding="utf-8")
    assert "silent on freezing the clock: DOMAIN.md's default" in text
    assert not re.search(r"\bgel(é|er|ée)?\b|suspendu", seed(file), re.IGNORECASE)


# ---- Libriciel ------------------------------------------------------------------------------


def test_libriciel_freezes_only_the_resolution_time() -> None:
    """§5.2.4.1: "Le temps de résolution de la demande est gelé" while Libriciel waits on the
    client or on a third party (éditeur métier, DGCL / DGFIP); nothing else is frozen, and the
    §2.5.2 restoration is the resolution of an unavailability."""
    sla = terms(LIBRICIEL)
    frozen = {
        ("bloquant", "resolution"),
        ("majeur", "resolution"),
        ("serieux", "resolution"),
        ("mineur", "resolution"),
        ("indisponibilite", "retablissement"),
    }
    seen = set()
    for severity in sla.severities:
        for item in severity.targets:
            seen.add((severity.key, item.key))
            expected = BOTH if (severity.key, item.key) in frozen else set()
            assert item.pauses == expected, (severity.key, item.key)
            assert item.pauses_article == "§5.2.4.1"
    assert frozen < seen
    assert_quoted(
        LIBRICIEL,
        "A qualifier par le client (action client) : la demande a fait l'objet d'une "
        "qualification par Libriciel SCOP mais nécessite des informations complémentaires "
        "et/ou action de votre part. Le temps de résolution de la demande est gelé",
        "attend un traitement particulier (retour éditeur métier) pour poursuivre le traitement "
        "de la demande. Le temps de résolution de la demande est gelé",
        "En attente retour DGCL / DGFIP : l'équipe en charge du dossier attend un retour de la "
        "DGFIP, DGCL afin de poursuivre le traitement de la demande. Le temps de résolution de "
        "la demande est gelé",
    )


def test_libriciel_a_third_party_wait_moves_the_resolution_not_the_gtr() -> None:
    sla = terms(LIBRICIEL)
    reported = at(2025, 6, 2, 9)  # Monday
    events = [
        ev(1, EventKind.acknowledged, at(2025, 6, 2, 10)),
        ev(2, EventKind.waiting_third_party, at(2025, 6, 2, 11)),  # retour DGFIP attendu
        ev(3, EventKind.resumed, at(2025, 6, 2, 15)),
        ev(4, EventKind.workaround, at(2025, 6, 3, 10)),
        ev(5, EventKind.waiting_third_party, at(2025, 6, 3, 14)),
        ev(6, EventKind.resumed, at(2025, 6, 3, 16)),
    ]
    found = targets(sla, "majeur", reported, events, now=at(2025, 6, 4, 9))
    # The GTR runs on through the wait: 24 business hours from Monday 9:00 is Thursday 12:00
    # (Mon 7 h, Tue 7 h, Wed 7 h, Thu 3 h).
    assert found["contournement"].deadline == at(2025, 6, 5, 12)
    # The resolution counts 5 business days from the workaround (Tuesday 3 June 10:00, due
    # Wednesday 11 June 10:00: Monday 9 June is Whit Monday), moved by the 2 business hours
    # waited on a third party after it started.
    assert found["resolution"].started_at == at(2025, 6, 3, 10)
    assert found["resolution"].deadline == at(2025, 6, 11, 12)
    # While Libriciel waits on the client, the take-charge runs on.
    waiting = [ev(1, EventKind.waiting_customer, at(2025, 6, 2, 9, 30))]
    paused = targets(sla, "majeur", reported, waiting, now=at(2025, 6, 2, 11))
    assert paused["prise-en-charge"].status is TargetStatus.running
    assert paused["prise-en-charge"].deadline == at(2025, 6, 2, 15)


def test_libriciel_unavailability_restored_within_four_hours_of_the_take_charge() -> None:
    """§2.5.2: take-charge within two hours of the report, then four hours "à compter de la
    prise en charge", in the PSG; a wait on a third party freezes the restoration."""
    sla = terms(LIBRICIEL)
    take, restore = sla.severity("indisponibilite").targets
    assert (take.key, take.duration.amount, take.origin, take.calendar) == (
        "prise-en-charge",
        2 * HOUR,
        "report",
        "psg",
    )
    assert (restore.kind, restore.duration.amount, restore.origin, restore.calendar) == (
        TargetKind.restoration,
        4 * HOUR,
        "prise-en-charge",
        "psg",
    )
    reported = at(2025, 6, 2, 10)
    events = [
        ev(1, EventKind.acknowledged, at(2025, 6, 2, 11, 30)),
        ev(2, EventKind.waiting_third_party, at(2025, 6, 2, 14)),  # OVH
        ev(3, EventKind.resumed, at(2025, 6, 2, 15)),
    ]
    found = targets(sla, "indisponibilite", reported, events, now=at(2025, 6, 2, 16))
    assert found["prise-en-charge"].status is TargetStatus.met
    assert found["retablissement"].started_at == at(2025, 6, 2, 11, 30)
    # 11:30-12:00 (0 h 30), 15:00-18:00 (3 h: the hour waited does not count), then Tuesday
    # 9:00-9:30.
    assert found["retablissement"].deadline == at(2025, 6, 3, 9, 30)
    assert_quoted(
        LIBRICIEL,
        "prendre en charge la demande d'indisponibilité du/des composants applicatif/s dans un "
        "délai de deux heures à compter du signalement",
        "Le titulaire dispose d'un délai de quatre heures à compter de la prise en charge pour "
        "rétablir le service applicatif",
    )


def test_libriciel_yearly_amount_is_the_conditions_particulieres_total() -> None:
    """The quarterly lines add up to 337,50 € HT, support included: 1 350 € HT a year (the
    décision's "1'350€ HT" of hosting plus 250 € of support counts the support twice)."""
    quarterly = {
        "Forfait trimestriel utilisation du service(650€ht annuel) | à | 162,50": "162.50",
        "Forfait trimestriel volume transitant (20 To annuels)(300€ht annuel) | à | 75,00": "75.00",
        "Forfait stockage trimestriel (150€ ht annuel) | à | 37,50": "37.50",
        "Support et helpdesk trimestriel (250€ ht annuel) | à | 62,50": "62.50",
    }
    total = sum((Decimal(amount) for amount in quarterly.values()), Decimal(0))
    assert total == Decimal("337.50")
    document = read_contract_file(EXAMPLES / LIBRICIEL)
    assert document.contract.yearly_amount_ht == 4 * total == Decimal("1350.00")
    assert_quoted(LIBRICIEL, *quarterly, "337,50 | Total trimestriel HT")


# ---- Aukfood --------------------------------------------------------------------------------


def test_aukfood_guarantees_a_first_response() -> None:
    sla = terms(AUKFOOD)
    for severity, key in (("linux", "gti"), ("collabora", "prise-en-compte")):
        item = target(sla, severity, key)
        assert item.kind is TargetKind.first_response
        assert item.duration.unit is DurationUnit.business_seconds
        assert item.duration.amount == 4 * HOUR
        assert item.origin == "report"
    assert_quoted(
        AUKFOOD,
        "Ce premier délai est un temps de prise en compte de la demande",
        "Une première réponse sera apportée au client avant la fin du temps spécifié.",
        "Le GTI est de 4h dans les heures ouvrées suite à la demande d'intervention.",
        "Garantie de prise en compte : H+4",
    )


@pytest.mark.parametrize(("severity", "key"), [("linux", "gti"), ("collabora", "prise-en-compte")])
def test_aukfood_an_acknowledgement_within_four_business_hours_meets_it(
    severity: str, key: str
) -> None:
    sla = terms(AUKFOOD)
    reported = at(2025, 6, 2, 9)  # Monday; 9:00-12:30 (3 h 30) + 13:30-14:00: due 14:00
    answered = [ev(1, EventKind.acknowledged, at(2025, 6, 2, 13, 50))]
    found = targets(sla, severity, reported, answered, now=at(2025, 6, 3, 9))
    assert found[key].deadline == at(2025, 6, 2, 14)
    assert found[key].status is TargetStatus.met
    assert found[key].milestone_at == at(2025, 6, 2, 13, 50)
    late = [ev(1, EventKind.acknowledged, at(2025, 6, 2, 14, 10))]
    late_found = targets(sla, severity, reported, late, now=at(2025, 6, 3, 9))
    assert late_found[key].status is TargetStatus.breached


@pytest.mark.parametrize("clause", ["application-tierce", "infrastructure", "tres-complexe"])
def test_aukfood_exclusions_cover_the_gtr_only(clause: str) -> None:
    sla = terms(AUKFOOD)
    exclusion = sla.exclusion(clause)
    assert exclusion is not None and exclusion.targets == ("gtr",)
    reported = at(2025, 6, 2, 9)
    events = [
        ev(1, EventKind.acknowledged, at(2025, 6, 2, 10)),
        # Invoked without naming a target: the clause itself says what it covers.
        ev(2, EventKind.exclusion_invoked, at(2025, 6, 2, 11), exclusion=clause, text="hors GTR"),
    ]
    found = targets(sla, "linux", reported, events, now=at(2025, 6, 4, 9))
    assert found["gtr"].status is TargetStatus.excluded
    assert found["gti"].status is TargetStatus.met  # still measured
    assert found["gti"].deadline == at(2025, 6, 2, 14)
    assert_quoted(
        AUKFOOD,
        "Le GTR est de 8h dans les heures ouvrées, sauf :",
        "si le problème vient d'une application non gérées par l'équipe d'Aukfood",
        "si le problème vient de l'infrastructure",
        "si le problème est très complexe et demande un temps d'intervention plus important que "
        "dans les cas habituels",
    )


def test_aukfood_ticket_price() -> None:
    (price,) = read_contract_file(EXAMPLES / AUKFOOD).contract.unit_prices
    assert (price.amount_ht, price.minutes, price.severities) == (Decimal("25.00"), 15, ("linux",))
    assert_quoted(AUKFOOD, "Ticket 15mn 25,00 €", "à raison de 25 € HT les 15 minutes")


# ---- Operis ---------------------------------------------------------------------------------


def test_operis_cadastral_data_are_updated_within_one_calendar_month() -> None:
    sla = terms(OPERIS)
    (item,) = sla.severity("donnees-majic").targets
    assert (item.kind, item.duration.unit, item.duration.amount, item.origin) == (
        TargetKind.other,
        DurationUnit.months,
        1,
        "report",
    )
    assert item.duration.end_of_day is False
    # Data received on 31 January: due on the last day of February, at the same local time.
    received = at(2026, 1, 31, 10, 15)
    found = targets(sla, "donnees-majic", received, [], now=received)
    assert found["integration"].deadline == at(2026, 2, 28, 10, 15)
    done = [ev(1, EventKind.resolved, at(2026, 2, 28, 10, 15))]
    after = targets(sla, "donnees-majic", received, done, now=at(2026, 3, 2))
    assert after["integration"].status is TargetStatus.met
    assert_quoted(
        OPERIS,
        "Cette prestation sera réalisée dans un délai d'un mois à compter de la réception par "
        "Operis des données MAJIC3 transmises par le client.",
        "Cette prestation sera réalisée dans un délai d'un mois à compter de la réception par "
        "Operis des données EDIGEO transmises par le client.",
    )


def test_operis_business_day_delays_and_hours() -> None:
    sla = terms(OPERIS)
    assert target(sla, "bloquante", "contournement").duration.amount == 8
    assert target(sla, "bloquante", "correctif").duration.amount == 15
    assert target(sla, "majeure", "contournement").duration.amount == 15
    assert not target(sla, "majeure", "correctif").duration.is_fixed
    assert not target(sla, "mineure", "correctif").duration.is_fixed
    data = tomllib.loads((EXAMPLES / OPERIS).read_text(encoding="utf-8"))
    assert data["calendars"]["support"]["hours"] == {
        **{day: ["09:00-12:00", "14:00-18:00"] for day in ("mon", "tue", "wed", "thu")},
        "fri": ["09:00-12:00", "14:00-17:00"],
    }
    assert data["calendars"]["support"]["holidays"] == "FR"
    assert_quoted(
        OPERIS,
        "Pour les erreurs de fonctionnement Bloquantes, une solution de contournement dans les "
        "huit (8) jours ouvrés, et un correctif logiciel dans les quinze (15) jours ouvrés",
        "du lundi au jeudi, sauf jours fériés, de 9 heures à 12 heures et de 14 heures à 18 "
        "heures et le vendredi sauf jour férié de 9 heures à 12 heures et de 14 heures à 17 "
        "heures",
    )


# ---- SMICA ----------------------------------------------------------------------------------


def test_smica_applies_security_patches_within_60_civil_days() -> None:
    sla = terms(SMICA)
    item = target(sla, "correctif-securite", "application")
    assert (item.duration.unit, item.duration.amount, item.article) == (
        DurationUnit.calendar_days,
        60,
        "Article 3.d",
    )
    # 1 March 09:00 + 60 civil days is 30 April 09:00, though summer time took an hour.
    published = at(2026, 3, 1, 9)
    found = targets(sla, "correctif-securite", published, [], now=published)
    deadline = found["application"].deadline
    assert deadline == at(2026, 4, 30, 9)
    assert deadline is not None
    assert deadline.timestamp() - published.timestamp() == 60 * 24 * HOUR - HOUR
    assert_quoted(
        SMICA,
        "correctifs de sécurité appliqués sur les systèmes informatiques et les logiciels dans "
        "les 60 jours suivant leur publication",
    )


# ---- the contracts' own figures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "key", "expected", "quote"),
    [
        (LIBRICIEL, "initial_months", 12, "conclu pour la durée initiale d'un an"),
        (LIBRICIEL, "max_renewals", 3, "Il est renouvelable 3 fois tacitement"),
        (LIBRICIEL, "notice_months", 2, "deux mois avant la date anniversaire"),
        (AUKFOOD, "max_renewals", 3, "dans la limite de 3 renouvellements"),
        (AUKFOOD, "notice_months", 2, "au moins 2 mois avant la fin de la période en cours"),
        (AUKFOOD, "yearly_amount_ht", "5700.00", "fixé à 5 700 € HT (900 € HT"),
        (OPERIS, "max_renewals", 4, "de manière tacite tous les ans et ce au maximum 4 fois"),
        (OPERIS, "notice_months", 3, "3 mois avant la date de fin"),
        (OPERIS, "yearly_amount_ht", "5429.84", "Montant total du Contrat 5 429,84 € HT"),
        (SMICA, "notice_months", 2, "un préavis de 2 (deux) mois avant le terme de la période"),
        (GALLIMEDIA, "notice_months", 1, "avec un préavis d'un mois"),
        (GALLIMEDIA, "max_renewals", 3, "sera reconduit expressément trois fois"),
        (GALLIMEDIA, "yearly_amount_ht", "5052.00", "annuel de la prestation est de 5 052,00 €"),
    ],
)
def test_contract_figures_match_the_seed(file: str, key: str, expected: object, quote: str) -> None:
    data = tomllib.loads((EXAMPLES / file).read_text(encoding="utf-8"))
    assert data["contract"][key] == expected
    assert_quoted(file, quote)


# ---- the corrected files over the old ones --------------------------------------------------


def old_text(file: str) -> str:
    """The encoding as it was before this correction (format 1), kept beside the tests."""
    return (FORMAT_1 / file).read_text(encoding="utf-8")


def aukfood_incident(session: Session, title: str, reported_at: datetime) -> Incident:
    contract = session.exec(
        select(Contract).where(Contract.reference == "MIRAMAS-AUKFOOD-2023")
    ).one()
    return report_incident(
        session,
        contract_id=contract.id or 0,
        severity="linux",
        title=title,
        reported_at=reported_at,
        now=reported_at,
        user_id=None,
        alert_settings=ALERTS,
    ).incident


def test_the_corrected_files_over_the_old_ones(engine: Engine) -> None:
    """A database loaded with the old encodings: the corrected files, with their original
    effective dates, are refused (a version takes effect after the one before it, and these
    change the SLA); dated from the day the correction applies, each makes version 2, and an
    incident reported before that day keeps version 1."""
    with session_scope(engine) as session:
        outcomes = import_documents(
            session,
            [(file, read_contract_text(old_text(file), file)) for file in sorted(SEED_OF)],
            now=utcnow(),
        )
    assert [(o.action, o.version) for o in outcomes] == [("created", 1)] * 5
    with session_scope(engine) as session:
        first_version = aukfood_incident(
            session, "Disque plein", at(2025, 6, 2, 9)
        ).contract_version_id

    for file in sorted(SEED_OF):
        corrected = (EXAMPLES / file).read_text(encoding="utf-8")
        with pytest.raises(DocumentError) as refused, session_scope(engine) as session:
            import_documents(session, [(file, read_contract_text(corrected, file))], now=utcnow())
        assert [p.code for p in refused.value.problems] == ["import.not_after_previous"]

    dated = {
        file: re.sub(
            r"^effective_from = \d{4}-\d{2}-\d{2}",
            "effective_from = 2025-09-01",
            (EXAMPLES / file).read_text(encoding="utf-8"),
            count=1,
            flags=re.MULTILINE,
        )
        for file in sorted(SEED_OF)
    }
    with session_scope(engine) as session:
        outcomes = import_documents(
            session,
            [(file, read_contract_text(text, file)) for file, text in dated.items()],
            now=utcnow(),
        )
    assert [(o.action, o.version) for o in outcomes] == [("amended", 2)] * 5

    with session_scope(engine) as session:
        for contract in session.exec(select(Contract)):
            assert version_in_force(session, contract, date(2025, 8, 31)).number == 1
            assert version_in_force(session, contract, date(2025, 9, 1)).number == 2
        kept = session.get(ContractVersion, first_version)
        assert kept is not None and kept.number == 1
        # The incident reported in June keeps the old reading: a GTI met by the intervention.
        assert target(document_of(kept).sla, "linux", "gti").kind is TargetKind.intervention
        later = aukfood_incident(session, "Certificat expiré", at(2025, 10, 6, 9))
        current = session.get(ContractVersion, later.contract_version_id)
        assert current is not None and current.number == 2
        assert target(document_of(current).sla, "linux", "gti").kind is TargetKind.first_response


def test_a_format_1_version_keeps_its_meaning_of_calendar_days() -> None:
    """An incident reported under the old SMICA encoding keeps its deadline: format 1 read
    `calendar_days = 60` as 60 × 24 real hours, and still does; the corrected encoding (format
    2) counts civil days."""
    old = read_contract_text(old_text(SMICA), SMICA).sla
    new = read_contract_text((EXAMPLES / SMICA).read_text(encoding="utf-8"), SMICA).sla
    reported = datetime(2025, 3, 1, 9, tzinfo=PARIS)

    def deadline(sla: SlaTerms) -> datetime | None:
        level = next(s for s in sla.severities if any(t.duration.is_fixed for t in s.targets))
        found = targets(sla, level.key, reported, [], reported).values()
        return next(t.deadline for t in found if t.deadline is not None)

    assert deadline(old) == datetime(2025, 4, 30, 10, tzinfo=PARIS)  # 1,440 real hours
    assert deadline(new) == datetime(2025, 4, 30, 9, tzinfo=PARIS)  # 60 civil days
